"""Who may see and do what with threads and messages: the only place these rules live.

Audience is enforced the same way everywhere a message can appear. Its forms live here side by side:
``threads_visible_to`` (a query, for pages, API, search, email and downloads), ``Reader.can_see`` (in memory,
for the live stream, which must not query the database per event) and ``may_read_thread`` (one prepared
statement, for a live stream opened from a thread page); tests check that they agree.
"""

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.access import is_member_in_good_standing
from environet.compiled import Joined
from messaging.models import Attachment, Audience, Marking, Message, Thread

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def is_reader(person) -> bool:
    # One rule for every app: active people, and an active organisation's service identity calling the API.
    return is_member_in_good_standing(person)


def can_post(person) -> bool:
    """Observers read; members, focal points and administrators post."""
    return is_reader(person) and person.role != person.Role.OBSERVER


def can_moderate(person) -> bool:
    return is_reader(person) and (person.is_administrator or person.is_moderator)


def audience_rule(person, *, author: str = "author") -> Q:
    """The audience rule as a filter on a model with the ``Shared`` fields (a thread, a seizure record):
    what ``person`` may read, besides what ``author`` (the field naming who wrote it) says is theirs."""
    organisation = person.organisation
    audience = (
        Q(audience=Audience.NETWORK)
        | Q(audience=Audience.ORGANISATIONS, audience_organisations=organisation)
        | Q(audience=Audience.PEOPLE, audience_people=person)
        | Q(**{author: person})
    )
    if organisation.country:
        audience |= Q(audience=Audience.COUNTRIES, audience_countries__contains=f",{organisation.country},")
    return audience


def marking_refusal(*, marking: str, audience: str, people: Sequence[object] = ()) -> str | None:
    """Why ``marking`` may not go with ``audience`` under TLP 2.0, in the active language; None if it may.

    - TLP:RED is for named recipients only: the audience is named people, at least one (``people``, those
      named besides the author).
    - TLP:AMBER+STRICT restricts sharing to the recipient's organisation only: it goes to chosen
      organisations or to named people, never to the whole network or to whole countries, where every
      organisation of the network or of those countries would hold it.

    The one home of this rule: forms, actions (threads and seizure records) and the import all ask here, and
    an action refuses on its own whatever its caller checked."""
    refused = marking_refused(marking=marking, audience=audience, people=people)
    return None if refused is None else str(refused)


def marking_refused(*, marking: str, audience: str, people: Sequence[object] = ()) -> "StrPromise | None":
    """``marking_refusal`` not yet said: the lazy message, said in the language active when it is shown. What
    forms give, so that an import checked in one language keeps its message id and says it in its reader's
    (seizures/problem_words.py)."""
    if marking == Marking.RED and (audience != Audience.PEOPLE or not people):
        return _("TLP:RED is for named people only: choose “Named people” and name them.")
    if marking == Marking.AMBER_STRICT and audience not in (Audience.ORGANISATIONS, Audience.PEOPLE):
        return _(
            "TLP:AMBER+STRICT is for the recipient's organisation only: choose “Chosen organisations” or "
            "“Named people”, not the whole network or whole countries."
        )
    return None


def threads_visible_to(person, *, among: Collection[int] | None = None) -> QuerySet[Thread]:
    """The threads ``person`` may read; ``among``: of these thread ids only. Asked of a few threads (a
    search's matches), every part of the rule is narrowed to them, so the database never works out the
    whole set the person may read."""
    if not is_reader(person):
        return Thread.objects.none()
    threads = Thread.objects.all() if among is None else Thread.objects.filter(pk__in=list(among))
    hidden = threads.filter(_in_closed_forum(person)).values("pk")
    visible = threads.filter(audience_rule(person)).values("pk")
    return Thread.objects.filter(pk__in=visible).exclude(pk__in=hidden)


def _in_closed_forum(person) -> Q:
    # A thread filed under a forum is for that forum's members only.
    return Q(topics__is_forum=True) & ~Q(topics__members=person)


def message_rule(person) -> Q | None:
    """The rule of ``messages_visible_to`` as a condition on each message's own row, with the same meaning
    (a test compares them); None when the person may read nothing.

    ``messages_visible_to`` selects the threads the person may read first, which makes the database work
    out all of them. A search asks the rule of the few messages the index gives it instead: each message's
    thread is read by its key, a chosen organisation or a named person is looked up in its own table for
    that thread (``row_by_row``), and so is a forum the person is not in."""
    return thread_rule(person, outer="thread_id", path="thread__")


def thread_rule(person, *, outer: str = "pk", path: str = "") -> Q | None:
    """The rule of ``threads_visible_to`` as a condition on each row of a query about threads (``outer`` and
    ``path`` as in ``row_by_row``: a thread itself, or a row with a key to one), with the same meaning (a test
    compares them); None when the person may read nothing.

    For pages that show a few threads or rows newest first (the overview's latest threads, the unread counts,
    requests for assistance): ``threads_visible_to`` makes the database work out every thread the person may
    read before it looks at the few the page is about, on every request."""
    if not is_reader(person):
        return None
    audience = row_by_row(audience_rule(person), Thread, outer=outer, path=path)
    return audience & ~Q(Exists(_closed_forums_of(person, outer)))


def _closed_forums_of(person, outer: str) -> QuerySet:
    """The filings of the thread ``outer`` names under a forum ``person`` is not a member of: the meaning of
    ``_in_closed_forum``, asked of the thread's filings alone. Through ``Thread`` it joined the thread again
    by its key, which on PostgreSQL cost a search's page a fifth of its planning. The forums closed to the
    person are one list, worked out once per statement (it does not depend on the row): asked of each row
    with the topic and the membership, it was a third of the unread counts' time (3,000 messages, SQLite)."""
    from topics.models import Topic

    closed = Topic.objects.filter(is_forum=True).exclude(members=person).values("pk")
    return Thread.topics.through.objects.filter(thread_id=OuterRef(outer), topic_id__in=closed)


def rule_key(person) -> tuple:
    """Everything of ``person`` that ``message_rule`` reads, and the query built from it holds: two people with
    the same key get the same query (what they are members of, forums included, the database reads when the
    query runs). messaging.search compiles its page once per key and reuses it, so whatever the rule comes to
    read of a person must be added here."""
    if not is_reader(person):
        return ("not a reader",)
    organisation = person.organisation
    return (person.pk, organisation.pk, organisation.country)


def row_by_row(rule: Q, model: type[Model], *, outer: str = "pk", path: str = "") -> Q:
    """``rule``, a condition on ``model`` (a thread, a library item), as a condition on each row the query is
    about, with the same meaning: rows of ``model`` itself, or rows that reach one through a foreign key
    (``outer``, the key's column, and ``path``, its name with "__": ``"thread_id"``, ``"thread__"`` for a
    message).

    Filtering on a many-to-many field (chosen organisations, named people) joins its table, which would give
    a row once per joined row; and selecting the matching ids first (``pk__in``) makes the database apply the
    rule to every row of ``model`` before narrowing. Instead, each alternative of the rule that goes through
    a many-to-many field is asked as ``EXISTS`` of that row alone, and the others (the whole network, the
    author, the countries) are read from the row as they are: the database then asks the rule only of the
    rows the rest of the query is about (the matches of some words, one item), cheapest alternative first."""
    alternatives = rule.children if rule.connector == Q.OR and not rule.negated else [rule]
    direct, related = Q(), Q()
    for alternative in alternatives:
        condition = alternative if isinstance(alternative, Q) else Q(alternative)
        if _goes_through_many(condition, model):
            related |= _exists(condition, model, outer, path)
        else:
            direct |= _along(condition, path)
    return direct | related


def _along(condition: Q, path: str) -> Q:
    """``condition`` with every field name reached through ``path``."""
    along = Q(_connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        if isinstance(child, Q):
            along.children.append(_along(child, path))
        else:
            name, value = cast(tuple[str, Any], child)
            along.children.append((path + name, value))
    return along


def _exists(condition: Q, model: type[Model], outer: str, path: str) -> Q:
    """``condition`` (which goes through a many-to-many field) of the outer row, as EXISTS.

    The plain form, ``audience=...`` and one ``many_to_many_field=value``, asks the joining table directly
    (its row for this item and that value) and reads the rest from the row; any other form asks EXISTS of
    the ``model`` row itself, which means the same whatever the condition."""
    plain = (
        condition.connector == Q.AND
        and not condition.negated
        and all(isinstance(child, tuple) and isinstance(child[0], str) for child in condition.children)
    )
    if plain:
        on_row: list[tuple[str, Any, Any]] = []
        through: list[tuple[str, Any, Any]] = []
        for child in condition.children:
            name, value = cast(tuple[str, Any], child)
            field = model._meta.get_field(name.split(LOOKUP_SEP)[0])
            (through if field.many_to_many else on_row).append((name, value, field))
        if len(through) == 1 and all(not field.is_relation or field.many_to_one for _n, _v, field in on_row):
            name, value, field = through[0]
            rest = name[len(field.name) :]
            table = field.remote_field.through.objects.filter(
                **{field.m2m_field_name(): OuterRef(outer), field.m2m_reverse_field_name() + rest: value}
            )
            return Q(*[(path + name, value) for name, value, _field in on_row]) & Q(Exists(table))
    return Q(Exists(model._default_manager.filter(condition, pk=OuterRef(outer))))


def _goes_through_many(condition: Q, model: type[Model]) -> bool:
    """Whether a condition joins a table that holds several rows per ``model`` row (or might: anything not a
    plain ``field__lookup=value`` counts as joining, and is asked by EXISTS, which means the same anyway)."""
    for child in condition.children:
        if isinstance(child, Q):
            if _goes_through_many(child, model):
                return True
            continue
        if not (isinstance(child, tuple) and isinstance(child[0], str)):
            return True
        field = model._meta.get_field(child[0].split(LOOKUP_SEP)[0])
        if field.many_to_many or field.one_to_many:
            return True
    return False


def may_read_thread(cursor, *, person_id: int, organisation_id: int, country: str, thread_id: int) -> bool:
    """Whether the person may read the thread: ``threads_visible_to(person).filter(pk=thread_id).exists()``
    in one prepared statement on ``cursor``, for opening a live stream from a thread page, which knows the
    person's id, organisation and country already and must not build a query each time (a parity test
    checks the two answer alike). The caller has checked that the person is a reader (``is_reader``)."""
    cursor.execute(*may_read_thread_statement(person_id, organisation_id, country, thread_id))
    return cursor.fetchone() is not None


def may_read_thread_statement(person_id: int, organisation_id: int, country: str, thread_id: int) -> tuple[str, list]:
    """``may_read_thread``'s statement and parameters: a row if and only if the person may read the thread."""
    like = "%," + country.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ",%"
    parameters = [
        thread_id,
        *(Audience.NETWORK, person_id),
        *(Audience.ORGANISATIONS, organisation_id),
        *(Audience.PEOPLE, person_id),
        *(Audience.COUNTRIES, country, like),
        person_id,
    ]
    return _may_read_thread_sql(), parameters


@functools.cache
def _may_read_thread_sql() -> str:
    """``threads_visible_to``'s rule for one thread and one person, with this database's names."""
    q = connection.ops.quote_name
    organisations = Thread.audience_organisations.through._meta.db_table
    people = Thread.audience_people.through._meta.db_table
    from topics.models import Topic

    filed = Thread.topics.through._meta.db_table
    topic, members = Topic._meta.db_table, Topic.members.through._meta.db_table
    return (
        f"SELECT 1 FROM {q(Thread._meta.db_table)} t WHERE t.{q('id')} = %s AND ("  # noqa: S608 - names from models
        f"t.{q('audience')} = %s OR t.{q('author_id')} = %s "
        f"OR (t.{q('audience')} = %s AND EXISTS (SELECT 1 FROM {q(organisations)} o "
        f"WHERE o.{q('thread_id')} = t.{q('id')} AND o.{q('organisation_id')} = %s)) "
        f"OR (t.{q('audience')} = %s AND EXISTS (SELECT 1 FROM {q(people)} p "
        f"WHERE p.{q('thread_id')} = t.{q('id')} AND p.{q('person_id')} = %s)) "
        f"OR (t.{q('audience')} = %s AND %s <> '' AND t.{q('audience_countries')} LIKE %s ESCAPE '\\')) "
        # A thread filed under a forum is for that forum's members only: members of every forum it is under.
        f"AND NOT EXISTS (SELECT 1 FROM {q(filed)} f JOIN {q(topic)} g ON g.{q('id')} = f.{q('topic_id')} "
        f"WHERE f.{q('thread_id')} = t.{q('id')} AND g.{q('is_forum')} AND NOT EXISTS ("
        f"SELECT 1 FROM {q(members)} m WHERE m.{q('topic_id')} = g.{q('id')} AND m.{q('person_id')} = %s))"
    )


def readers_of(thread: Thread, people: QuerySet) -> QuerySet:
    """Those of ``people`` who may read ``thread``, in one query: the rule of ``threads_visible_to`` seen
    from the thread's side, for sending one notice to many (tests check the two agree, person by person)."""
    from accounts.models import Person

    may = Q(pk=thread.author_id)
    if thread.audience == Audience.NETWORK:
        may |= Q(pk__isnull=False)
    elif thread.audience == Audience.ORGANISATIONS:
        may |= Q(organisation__in=thread.audience_organisations.values("pk"))
    elif thread.audience == Audience.PEOPLE:
        may |= Q(pk__in=thread.audience_people.values("pk"))
    elif thread.audience == Audience.COUNTRIES:
        may |= Q(organisation__country__in=thread.country_codes) & ~Q(organisation__country="")
    readers = people.filter(may, state=Person.State.ACTIVE)
    # A thread filed under a forum is for that forum's members only: members of every forum it is under.
    for forum in thread.topics.filter(is_forum=True):
        readers = readers.filter(pk__in=forum.members.values("pk"))
    return readers


def can_read_thread(person, thread_id: int) -> bool:
    """``threads_visible_to(person).filter(pk=thread_id).exists()``, in one prepared statement
    (``may_read_thread``, which a parity test holds to ``threads_visible_to``) instead of the ORM query of the
    whole rule."""
    if not is_reader(person) or not isinstance(thread_id, int):
        return False
    organisation = person.organisation
    with connection.cursor() as cursor:
        return may_read_thread(
            cursor,
            person_id=person.pk,
            organisation_id=organisation.pk,
            country=organisation.country,
            thread_id=thread_id,
        )


def thread_for(person, thread_id: int) -> Thread:
    """The thread, if ``person`` may read it (``threads_visible_to``); 404 alike when missing or forbidden.

    Asked on every thread page, reply and change: the rule for this one thread is one prepared statement
    (``can_read_thread``), then the thread is read by its key, instead of building the ORM query of the whole rule
    each time (some 3 ms of a reply's 18)."""
    if not can_read_thread(person, thread_id):
        raise Http404
    # ``Thread.objects.select_related("seizure").get(pk=thread_id)`` (a seizure record's thread is named from its
    # record), from a statement compiled once (environet.compiled.Joined; test_thread_read compares them).
    found = _WHOLE_THREAD.one(thread_id)
    if found is None:  # gone between the two reads
        raise Http404
    return cast(Thread, found)


_WHOLE_THREAD = Joined(Thread, {"": None, "seizure": None})  # every field of each


def messages_visible_to(person, *, among_threads: Collection[int] | None = None) -> QuerySet[Message]:
    return Message.objects.filter(thread__in=threads_visible_to(person, among=among_threads))


def message_for(person, message_id: int) -> Message:
    try:
        return messages_visible_to(person).select_related("thread", "author").get(pk=message_id)
    except Message.DoesNotExist:
        raise Http404 from None


def attachments_visible_to(person) -> QuerySet[Attachment]:
    """Attachments of messages the person may see whose text is still shown (not retracted, not hidden)."""
    shown = messages_visible_to(person).filter(retracted_at__isnull=True, hidden_at__isnull=True)
    return Attachment.objects.filter(message__in=shown)


def attachment_for(person, attachment_id: int) -> Attachment:
    """An attachment the person may see (``attachments_visible_to``). Checked again on every download;
    missing and forbidden answer alike (404)."""
    try:
        return attachments_visible_to(person).select_related("message").get(pk=attachment_id)
    except Attachment.DoesNotExist:
        raise Http404 from None


def can_reply(person, thread: Thread) -> bool:
    return can_post(person) and not thread.is_locked


def can_edit(person, message: Message) -> bool:
    return message.author_id == person.pk and message.retracted_at is None and message.hidden_at is None


def can_see_receipts(person, message: Message) -> bool:
    return message.author_id == person.pk


def marking_allows_email_content(marking: str) -> bool:
    return marking in (Marking.CLEAR, Marking.GREEN)


# --- The same rule in memory, for the live stream -------------------------------------------------------


def audience_of(thread: Thread, *, topic_codes: list[str], forum_ids: list[int]) -> dict[str, Any]:
    """What the live stream needs to decide, without the database, who may receive an event."""
    return {
        "audience": thread.audience,
        "organisations": list(thread.audience_organisations.values_list("pk", flat=True))
        if thread.audience == Audience.ORGANISATIONS
        else [],
        "countries": thread.country_codes if thread.audience == Audience.COUNTRIES else [],
        "people": list(thread.audience_people.values_list("pk", flat=True))
        if thread.audience == Audience.PEOPLE
        else [],
        "author": thread.author_id,
        "forums": forum_ids,
        "topics": topic_codes,
    }


def for_readers(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` as ``Reader.wants`` asks it of every open stream: its audience's organisations, countries,
    people and topics and its mentions as sets, so that each stream's check is a set lookup however many
    it names (they arrive as lists, from JSON). The event given is left as it is."""
    audience = event.get("audience")
    if audience is None:
        return event
    checked = {**event, "audience": {**audience}}
    for key in ("organisations", "countries", "people", "topics", "forums"):
        if key in audience:
            checked["audience"][key] = frozenset(audience[key])
    if "mentions" in event:
        checked["mentions"] = frozenset(event["mentions"])
    return checked


@dataclass(slots=True)
class Reader:
    """A connected person, as the live stream knows them. One per open stream, so it is kept small: slots,
    and sets that streams share (messaging.live.ReaderFacts hands the same frozen set to everyone whose
    choices are the same)."""

    person_id: int
    organisation_id: int
    country: str
    forums: frozenset[int] | set[int] = frozenset()
    topics: frozenset[str] | set[str] = frozenset()  # topics they chose to hear about
    followed: frozenset[int] | set[int] = frozenset()  # threads followed one by one
    muted: frozenset[int] | set[int] = frozenset()
    watching: int | None = None  # the thread open on the page, delivered whatever they follow

    def can_see(self, audience: dict[str, Any]) -> bool:
        # Called for every open stream on every event: set operations, no generator per call.
        if audience["forums"] and not self.forums.issuperset(audience["forums"]):
            return False
        kind = audience["audience"]
        return (
            audience["author"] == self.person_id
            or kind == Audience.NETWORK
            or (kind == Audience.ORGANISATIONS and self.organisation_id in audience["organisations"])
            or (kind == Audience.COUNTRIES and bool(self.country) and self.country in audience["countries"])
            or (kind == Audience.PEOPLE and self.person_id in audience["people"])
        )

    def wants(self, event: dict[str, Any]) -> bool:
        """Deliver if they may see it and (they follow it, it is open on their page, or it mentions them)."""
        audience = event.get("audience")
        if audience is None:  # an event for one person only
            return event.get("person") == self.person_id
        if not self.can_see(audience):
            return False
        thread = event.get("thread")
        if thread == self.watching or self.person_id in event.get("mentions", ()):
            return True
        if thread in self.muted:
            return False
        return thread in self.followed or not self.topics.isdisjoint(audience["topics"])
