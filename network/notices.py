"""What the network's notices say, worded when shown (environet.notices) through today's access rule.

- ``network.flag`` (``flag``): a coordination flag was raised about activities the person leads or proposed,
  or (secretariat) in the network they serve. Nothing is shown to someone who may no longer see the flag.
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from environet import notices
from network import access
from network.models import Flag


@notices.renderer("network.flag")
def flag(person, references: dict[str, Any]) -> notices.Shown | None:
    flag_id = references.get("flag")
    if not isinstance(flag_id, int):
        return None
    found = Flag.objects.select_related("network", "first", "second").filter(pk=flag_id).first()
    if found is None or not access.can_see_flag(person, found):
        return None
    text = _("%(network)s: %(kind)s: “%(first)s” and “%(second)s”.") % {
        "network": found.network.short_name,
        "kind": found.get_kind_display(),
        "first": found.first.title,
        "second": found.second.title,
    }
    return notices.Shown(text=text, url=reverse("network:flag", args=[found.network.short_name, found.pk]))
