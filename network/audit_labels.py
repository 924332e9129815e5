"""What the audit trail calls activities, comments, flags, meetings and their files: only for viewers who may
see their network today (network.access), so a title never reaches someone outside it."""

from collections.abc import Collection

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import labels
from network import access, selectors
from network.models import (
    Comment,
    Flag,
    InputKind,
    Meeting,
    MeetingDocument,
    Membership,
    Network,
    Participant,
    Participation,
    Resolution,
    Review,
    Standing,
    TermsOfReference,
)


def activities(viewer, ids: Collection[int]) -> dict[int, str]:
    return dict(access.activities_visible_to(viewer).filter(pk__in=ids).values_list("pk", "title"))


def comments(viewer, ids: Collection[int]) -> dict[int, str]:
    found = Comment.objects.filter(pk__in=ids, activity__in=access.activities_visible_to(viewer))
    return {
        pk: _("comment on %(title)s") % {"title": title} for pk, title in found.values_list("pk", "activity__title")
    }


def terms(viewer, ids: Collection[int]) -> dict[int, str]:
    found = TermsOfReference.objects.filter(pk__in=ids, network__in=access.networks_visible_to(viewer))
    return dict(found.values_list("pk", "name"))


def flags(viewer, ids: Collection[int]) -> dict[int, str]:
    found = Flag.objects.filter(pk__in=ids).select_related("network", "first", "second")
    return {
        flag.pk: _("%(kind)s: %(first)s / %(second)s")
        % {"kind": flag.get_kind_display(), "first": flag.first.title, "second": flag.second.title}
        for flag in found
        if access.can_see_flag(viewer, flag)
    }


def meetings(viewer, ids: Collection[int]) -> dict[int, str]:
    found = Meeting.objects.filter(pk__in=ids, network__in=access.networks_visible_to(viewer))
    return {pk: f"{number}: {title}" for pk, number, title in found.values_list("pk", "number", "title")}


def meeting_documents(viewer, ids: Collection[int]) -> dict[int, str]:
    found = MeetingDocument.objects.filter(pk__in=ids, meeting__network__in=access.networks_visible_to(viewer))
    return dict(found.values_list("pk", "name"))


def networks(viewer, ids: Collection[int]) -> dict[int, str]:
    return dict(access.networks_visible_to(viewer).filter(pk__in=ids).values_list("pk", "name"))


def memberships(viewer, ids: Collection[int]) -> dict[int, str]:
    """A membership by its member (an organisation or a named expert), for those who may see its network."""
    found = Membership.objects.filter(pk__in=ids, network__in=access.networks_visible_to(viewer))
    rows = found.values_list("pk", "organisation__name", "expert__full_name")
    return {pk: organisation or expert or "" for pk, organisation, expert in rows}


def participants(viewer, ids: Collection[int]) -> dict[int, str]:
    found = Participant.objects.filter(pk__in=ids, meeting__network__in=access.networks_visible_to(viewer))
    return dict(found.values_list("pk", "person__full_name"))


def register() -> None:
    labels.register("network.network", name=gettext_lazy("network"), labels=networks)
    labels.register_names("network.membership", name=gettext_lazy("member"), labels=memberships)
    labels.register_names("network.participant", name=gettext_lazy("participant"), labels=participants)
    labels.register("network.activity", name=gettext_lazy("activity"), labels=activities)
    labels.register("network.comment", name=gettext_lazy("comment"), labels=comments)
    labels.register("network.flag", name=gettext_lazy("coordination flag"), labels=flags)
    labels.register("network.meeting", name=gettext_lazy("meeting"), labels=meetings)
    labels.register("network.meetingdocument", name=gettext_lazy("meeting document"), labels=meeting_documents)
    labels.register("network.termsofreference", name=gettext_lazy("terms of reference"), labels=terms)
    # An activity's change records the names of the fields it changed (network.actions): said as the page says them.
    labels.register_changes(
        "network.activity",
        {
            "fields": labels.Words(name=gettext_lazy("fields changed"), values=selectors.LABELS, listed=True),
            "items_added": labels.Words(name=gettext_lazy("outputs added"), refers_to="library.item", listed=True),
            "items_removed": labels.Words(name=gettext_lazy("outputs removed"), refers_to="library.item", listed=True),
            "trained_countries": labels.Words(name=gettext_lazy("countries with people trained"), listed=True),
            "trained_total": labels.Words(name=gettext_lazy("people trained")),
            "lessons": labels.Words(name=gettext_lazy("lessons learnt"), values={"changed": gettext_lazy("Changed")}),
        },
    )
    terms_words = gettext_lazy("terms of reference")
    labels.register_changes(
        "network.network",
        {
            "fields": labels.Words(
                name=gettext_lazy("fields changed"), values=labels.field_names(Network, terms=terms_words), listed=True
            ),
            "standing": labels.Words(name=gettext_lazy("standing"), values=dict(Standing.choices)),
            "left_on": labels.Words(name=gettext_lazy("date left")),
        },
    )
    labels.register_changes(
        "network.meeting",
        {
            "fields": labels.Words(
                name=gettext_lazy("fields changed"), values=labels.field_names(Meeting), listed=True
            ),
            "kind": labels.Words(name=gettext_lazy("kind of input"), values=dict(InputKind.choices)),
            "review": labels.Words(name=gettext_lazy("review"), values=dict(Review.choices)),
            "state": labels.Words(name=gettext_lazy("participation"), values=dict(Participation.choices)),
        },
    )
    labels.register_changes(
        "network.flag", {"reason": labels.Words(name=gettext_lazy("resolution"), values=dict(Resolution.choices))}
    )
