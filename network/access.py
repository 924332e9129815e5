"""Who may see and do what in an enforcement network: the only place these rules live.

Decided here (issue 10):
- A network, its members, roadmap, activities, repository, terms of reference and exports are for signed-in
  active people (``messaging.access.is_reader``) whose organisation is a member or an observer of it today
  (or who are named in it as an expert today), for the people of its secretariat organisation, and for
  platform administrators. An organisation that has left sees nothing any more, its past activities
  included: the closed group is the network's current membership.
- Anything else answers 404, exactly as if it did not exist.
- The secretariat (people of the secretariat organisation, and administrators) edits the network and its
  membership, approves proposals (only it moves an activity out of "proposed"), edits any activity and
  publishes editions of the roadmap.
- Members (people of a member organisation, or named member experts) propose activities and update those
  their organisation leads or that they proposed. Observers, and people whose role is observer, comment.
- Administrators open new networks.
- Coordination flags (network.coordination) are seen by the secretariat and by the people of the
  organisations leading either activity of the pair, or who proposed either, while in the network. A member
  who neither leads nor proposed sees no flag about others' activities: a flag says that two activities may
  compete or repeat, which is for those who can act on it. Only the secretariat resolves flags and checks
  the whole roadmap; a flag's live notice goes to the same people who may see it.
- Meetings (their agenda, documents, participants, minutes, decisions and the input given at them) are seen
  by everyone who sees the network. The secretariat holds them: it opens and edits meetings, invites
  participants (only people of the network: ``people_of``), records attendance, minutes and decisions, and
  reviews the input. A participant's calendar invitation (.ics) is for that participant and the secretariat.
- Everyone in the network (members and observers, whatever their role) gives input at a meeting while it
  runs (the rule of dates is in network.meeting_actions).
"""

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from messaging.access import is_reader
from network.models import Activity, Flag, Meeting, Membership, Network, Participant, Standing, Status

SECRETARIAT = "secretariat"


def held_on(day: date) -> Q:
    """Memberships that held on ``day``: joined that day or before, not left by then."""
    return Q(joined_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gt=day))


def _own_memberships(person) -> Q:
    return Q(organisation_id=person.organisation_id) | Q(expert_id=person.pk)


def networks_visible_to(person) -> QuerySet[Network]:
    if not is_reader(person):
        return Network.objects.none()
    if person.is_administrator:
        return Network.objects.all()
    current = Membership.objects.filter(held_on(timezone.localdate()) & _own_memberships(person))
    return Network.objects.filter(Q(secretariat_id=person.organisation_id) | Q(pk__in=current.values("network_id")))


def network_for(person, short_name: str) -> Network:
    try:
        return networks_visible_to(person).select_related("secretariat").get(short_name=short_name)
    except Network.DoesNotExist:
        raise Http404 from None


def standing(person, network: Network) -> str | None:
    """The person's place in the network today: "secretariat", "member", "observer", or None."""
    if not is_reader(person):
        return None
    if person.is_administrator or person.organisation_id == network.secretariat_id:
        return SECRETARIAT
    found = set(
        Membership.objects.filter(held_on(timezone.localdate()) & _own_memberships(person), network=network)
        .values_list("standing", flat=True)
        .distinct()
    )
    if Standing.MEMBER in found:
        return Standing.MEMBER
    return Standing.OBSERVER if found else None


def _writes(person) -> bool:
    # As in conversations: people whose role is observer read and comment, and change nothing.
    return is_reader(person) and person.role != person.Role.OBSERVER


def can_manage(person, network: Network) -> bool:
    """Edit the network and its membership, approve, publish: the secretariat."""
    return _writes(person) and standing(person, network) == SECRETARIAT


def can_propose(person, network: Network) -> bool:
    return _writes(person) and standing(person, network) in (SECRETARIAT, Standing.MEMBER)


def can_comment(person, network: Network) -> bool:
    return standing(person, network) is not None


def can_edit(person, activity: Activity) -> bool:
    place = standing(person, activity.network)
    if not _writes(person) or place is None or place == Standing.OBSERVER:
        return False
    if place == SECRETARIAT:
        return True
    return activity.proposed_by_id == person.pk or activity.leads.filter(pk=person.organisation_id).exists()


def statuses_for(person, network: Network, activity: Activity | None = None) -> list[str]:
    """The statuses this person may give a new activity (``activity`` None) or this one. Only the secretariat
    approves: a member proposes, and once approved moves it on, but never back to "proposed"."""
    if can_manage(person, network):
        return list(Status.values)
    if activity is None or activity.status == Status.PROPOSED:
        return [Status.PROPOSED]
    return [status for status in Status.values if status != Status.PROPOSED]


def can_open_networks(person) -> bool:
    return is_reader(person) and person.is_administrator


def people_of(network: Network):
    """Active people who may be named as an activity's contact: of the secretariat, of the organisations in
    the network today, and its experts."""
    from accounts.models import Person

    current = network.memberships.filter(held_on(timezone.localdate()))
    return Person.objects.filter(
        Q(organisation_id=network.secretariat_id)
        | Q(organisation__in=current.values("organisation"))
        | Q(pk__in=current.values("expert")),
        state=Person.State.ACTIVE,
    )


def may_be_contact(person, network: Network) -> bool:
    return people_of(network).filter(pk=person.pk).exists()


def activities_visible_to(person) -> QuerySet[Activity]:
    return Activity.objects.filter(network__in=networks_visible_to(person))


def activity_for(person, network: Network, activity_id: int) -> Activity:
    try:
        return activities_visible_to(person).get(network=network, pk=activity_id)
    except Activity.DoesNotExist:
        raise Http404 from None


def membership_for(person, network: Network, membership_id: int) -> Membership:
    if not can_manage(person, network):
        raise Http404
    try:
        return network.memberships.get(pk=membership_id)
    except Membership.DoesNotExist:
        raise Http404 from None


def _involves(person, flag: Flag) -> bool:
    activities = Activity.objects.filter(pk__in=[flag.first_id, flag.second_id])
    return activities.filter(Q(proposed_by=person) | Q(leads=person.organisation_id)).exists()


def can_see_flag(person, flag: Flag) -> bool:
    place = standing(person, flag.network)
    if place is None:
        return False
    return place == SECRETARIAT or _involves(person, flag)


def flags_visible_to(person, network: Network) -> QuerySet[Flag]:
    place = standing(person, network)
    if place is None:
        return Flag.objects.none()
    found = Flag.objects.filter(network=network)
    if place == SECRETARIAT:
        return found
    theirs = Activity.objects.filter(
        Q(network=network) & (Q(proposed_by=person) | Q(leads=person.organisation_id))
    ).values("pk")
    return found.filter(Q(first__in=theirs) | Q(second__in=theirs))


def flag_for(person, network: Network, flag_id: int) -> Flag:
    try:
        return flags_visible_to(person, network).select_related("network").get(pk=flag_id)
    except Flag.DoesNotExist:
        raise Http404 from None


def flag_audience(flag: Flag):
    """Everyone told of a new flag: the people who may see it (the secretariat's, the leads', the proposers)."""
    from accounts.models import Person

    activities = Activity.objects.filter(pk__in=[flag.first_id, flag.second_id])
    found = Person.objects.filter(
        Q(organisation_id=flag.network.secretariat_id)
        | Q(organisation__in=activities.values("leads"))
        | Q(pk__in=activities.values("proposed_by")),
        state=Person.State.ACTIVE,
    ).distinct()
    return [person for person in found if can_see_flag(person, flag)]


def meeting_for(person, network: Network, meeting_id: int) -> Meeting:
    """A meeting of a network the person sees (``network`` came through ``network_for``)."""
    try:
        return network.meetings.select_related("host", "network").get(pk=meeting_id)
    except Meeting.DoesNotExist:
        raise Http404 from None


def can_give_input(person, network: Network) -> bool:
    return can_comment(person, network)


def participant_for(person, meeting: Meeting, participant_id: int) -> Participant:
    """A participant, for the secretariat or the participant themself; 404 for anyone else."""
    try:
        found = meeting.participants.select_related("person__organisation").get(pk=participant_id)
    except Participant.DoesNotExist:
        raise Http404 from None
    if found.person_id != person.pk and standing(person, meeting.network) != SECRETARIAT:
        raise Http404
    return found
