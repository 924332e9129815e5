"""What library notices say, worded when shown (environet.notices), through today's access rule.

- ``library.new_edition`` (``item``): a new edition of an item the person downloaded is out. Not shown at all
  if the person may no longer read the item.
- ``library.published`` (``item``, ``edition``): an item (or a new edition of it) came into one of the
  person's topics. Not shown at all if the person may no longer read the item.
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from environet import notices
from library import access
from library.models import Edition


@notices.renderer("library.new_edition")
def new_edition(person, references: dict[str, Any]) -> notices.Shown | None:
    item_id = references.get("item")
    if not isinstance(item_id, int):
        return None
    item = access.items_visible_to(person).filter(pk=item_id).first()
    if item is None:
        return None
    text = _("A new edition of “%(title)s” (%(marking)s), which you downloaded, is in the library.") % {
        "title": item.title,
        "marking": item.get_marking_display(),
    }
    return notices.Shown(text=text, url=reverse("library:item", args=[item.pk]))


@notices.renderer("library.published")
def published(person, references: dict[str, Any]) -> notices.Shown | None:
    item_id, edition_id = references.get("item"), references.get("edition")
    if not isinstance(item_id, int):
        return None
    item = access.items_visible_to(person).filter(pk=item_id).first()
    if item is None:
        return None
    words = {"title": item.title, "marking": item.get_marking_display()}
    if isinstance(edition_id, int) and Edition.objects.filter(pk=edition_id, item=item, number__gt=1).exists():
        text = _("A new edition of “%(title)s” (%(marking)s) is in the library, in your topics.") % words
    else:
        text = _("“%(title)s” (%(marking)s) is new in the library, in your topics.") % words
    return notices.Shown(text=text, url=reverse("library:item", args=[item.pk]))
