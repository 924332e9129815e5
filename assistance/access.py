"""Who may see and do what with experts and requests for assistance: the only place these rules live.

- The expert directory and profiles: members, focal points and administrators; observers only when
  ``settings.ENVIRONET_OBSERVERS_SEE_EXPERTS`` is on. Only active people with the expert flag are listed.
- A request: whoever may read its thread (``messaging.access.threads_visible_to``): the request has its
  thread's audience and marking, nothing wider. Missing and forbidden answer alike (404).
- Asking: those who may post (not observers). Inviting, closing (once answered) and withdrawing (while open
  or accepted): the asker only. Accepting: an expert other than the asker who may read the request, invited
  by name or, for a request open to all, expert in one of its topics. Accepting again, or after another expert
  did, is said in words to such an expert (``accept_refusal``), not answered as missing. Marking it answered:
  the expert who accepted it.
- The linked seizure record: each reader sees it only if ``seizures.access`` lets them read it; its nominal
  data is never shown on a request, whoever reads it.
- Turning an answered request into a library item: the asker or the expert who accepted it, once the asker
  has consented, and once only.
"""

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Person
from assistance.models import ACTIVE_STATES, Request, State
from environet.compiled import Kept, Prepared, prepare
from library.access import can_publish
from messaging.access import can_post, can_read_thread, is_reader, marking_refusal, rule_key, thread_rule
from messaging.models import Audience
from seizures.access import seizures_visible_to

# The one marking rule, and the key of all the requests' rule reads of a person (the thread's), re-exported so
# this app's callers ask here.
__all__ = ["marking_refusal", "rule_key"]


def can_see_directory(person) -> bool:
    if not is_reader(person):
        return False
    return not person.is_observer or bool(getattr(settings, "ENVIRONET_OBSERVERS_SEE_EXPERTS", False))


def experts_visible_to(person) -> QuerySet[Person]:
    if not can_see_directory(person):
        return Person.objects.none()
    return Person.objects.filter(is_expert=True, state=Person.State.ACTIVE).select_related("organisation")


def expert_for(person, expert_id: int) -> Person:
    try:
        return experts_visible_to(person).get(pk=expert_id)
    except Person.DoesNotExist:
        raise Http404 from None


def is_expert(person) -> bool:
    return is_reader(person) and person.is_expert and not person.is_observer


def can_ask(person) -> bool:
    """Members, focal points and administrators ask; observers read."""
    return can_post(person)


def requests_visible_to(person) -> QuerySet[Request]:
    # Asked of each request's thread by its key (``thread_rule``), not by working out every thread the person
    # may read first: home counts a person's few requests on every visit.
    rule = thread_rule(person, outer="thread_id", path="thread__") if is_reader(person) else None
    return Request.objects.none() if rule is None else Request.objects.filter(rule)


def request_of_thread(person, thread) -> int | None:
    """The id of the request for assistance ``thread`` is the conversation of, if the person may read it (a
    thread page's link to the request). A request is visible exactly when its thread is, so this asks the
    thread's rule in one prepared statement (``messaging.access.can_read_thread``), then the request by its thread,
    instead of the ORM query of ``requests_visible_to``."""
    if not can_read_thread(person, thread.pk):
        return None
    # ``Request.objects.filter(thread_id=thread.pk).values_list("pk", flat=True).first()``, compiled once.
    statement = _OF_THREAD.statement(
        "request of a thread",
        lambda: prepare(Request.objects.filter(thread_id=_A_THREAD).order_by("pk").values_list("pk")[:1], _A_THREAD),
    )
    rows = statement.rows(thread.pk) if statement is not None else []
    return rows[0][0] if rows else None


_A_THREAD = -4_242_424  # stands for the thread while the statement is compiled (no thread has this id)
_OF_THREAD: Kept[Prepared | None] = Kept(2)


def request_for(person, request_id: int) -> Request:
    try:
        return (
            requests_visible_to(person)
            .select_related("thread", "asker", "organisation", "expert", "seizure")
            .get(pk=request_id)
        )
    except Request.DoesNotExist:
        raise Http404 from None


def may_read(person, request: Request) -> bool:
    return requests_visible_to(person).filter(pk=request.pk).exists()


def is_asker(person, request: Request) -> bool:
    return is_reader(person) and request.asker_id == person.pk


def open_to(person) -> Q:
    """Requests an expert may take up: invited by name, or open to all in one of their topics."""
    topics = list(person.expert_topics or [])
    return Q(invitations__expert=person) | Q(open_to_all=True, thread__topics__code__in=topics)


def can_accept(person, request: Request) -> bool:
    return (
        is_expert(person)
        and request.state == State.OPEN
        and request.asker_id != person.pk
        and requests_visible_to(person).filter(open_to(person), pk=request.pk).exists()
    )


def accept_refusal(person, request: Request) -> str:
    """Why an expert who may see this request, and could once accept it, may not accept it now, in the active
    language: they accepted it already (a resend, a second click), another expert did, or it is no longer open.
    Empty when they may accept it, and for whoever never could (the asker, a reader who is not an expert or not
    invited): they are answered as if it did not exist. It says no more than the request page shows them (its
    state and its expert)."""
    if not is_expert(person) or request.asker_id == person.pk or request.state == State.OPEN:
        return ""
    if request.expert_id == person.pk:
        return _("You have already accepted this request.")
    if not requests_visible_to(person).filter(open_to(person), pk=request.pk).exists():
        return ""
    if request.expert_id is not None:
        return _("Another expert has already accepted this request.")
    return _("This request is no longer open to experts.")


def can_mark_answered(person, request: Request) -> bool:
    return is_reader(person) and request.state == State.ACCEPTED and request.expert_id == person.pk


def can_invite(person, request: Request) -> bool:
    return can_ask(person) and is_asker(person, request) and request.state in ACTIVE_STATES


def can_close(person, request: Request) -> bool:
    return is_asker(person, request) and request.state == State.ANSWERED


def can_withdraw(person, request: Request) -> bool:
    return is_asker(person, request) and request.state in ACTIVE_STATES


def can_publish_to_library(person, request: Request) -> bool:
    return (
        can_publish(person)
        and person.pk in (request.asker_id, request.expert_id)
        and request.consent_to_publish
        and request.state in (State.ANSWERED, State.CLOSED)
        and request.library_item_id is None
    )


def seizure_for_reader(person, request: Request):
    """The linked seizure record if this person may read it, else None. Its nominal data is never shown on a
    request: the page links to the record, whose own page applies the nominal-data rule."""
    if request.seizure_id is None:
        return None
    return seizures_visible_to(person).filter(pk=request.seizure_id).first()


def audience_reaches(person, *, audience: str, organisations, countries, people) -> bool:
    """Whether a thread with this audience (not yet saved) would be read by ``person``: the same audience rule
    as ``messaging.access.audience_rule``, asked before anything is written. A named-people audience takes in
    the experts invited, so it reaches them."""
    if audience == Audience.NETWORK or audience == Audience.PEOPLE:
        return True
    if audience == Audience.ORGANISATIONS:
        return person.organisation_id in {organisation.pk for organisation in organisations}
    if audience == Audience.COUNTRIES:
        return bool(person.organisation.country) and person.organisation.country in countries
    return False


def can_link_seizure(person, seizure_id: int) -> bool:
    return seizures_visible_to(person).filter(pk=seizure_id).exists()
