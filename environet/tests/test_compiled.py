"""``environet.compiled.Kept``: a statement is compiled once per key and kept; past the bound, the least
recently used goes first, and is compiled again when asked for."""

from django.db import connection

from environet.compiled import Kept


def test_a_statement_is_compiled_once_per_key_and_the_least_recently_used_goes_first():
    kept: Kept[str | None] = Kept(2)
    compiled: list[str] = []

    def compile(key: str):
        def make() -> str | None:
            compiled.append(key)
            return None if key == "nothing" else f"SELECT {key}"

        return make

    assert kept.statement("a", compile("a")) == "SELECT a"
    assert kept.statement("a", compile("a")) == "SELECT a"
    assert kept.statement("nothing", compile("nothing")) is None
    assert kept.statement("nothing", compile("nothing")) is None  # None is kept too
    assert compiled == ["a", "nothing"]
    kept.statement("a", compile("a"))  # now "nothing" is the least recently used
    kept.statement("b", compile("b"))
    assert compiled == ["a", "nothing", "b"]
    kept.statement("a", compile("a"))
    kept.statement("nothing", compile("nothing"))  # dropped: compiled again
    assert compiled == ["a", "nothing", "b", "nothing"]
    kept.clear()
    kept.statement("a", compile("a"))
    assert compiled[-1] == "a" and len(compiled) == 5


def test_a_prepared_query_runs_with_the_value_of_the_moment_where_its_stand_in_was(cast):
    from accounts.models import Organisation
    from environet.compiled import prepare

    stand_in = "\x00a stand-in\x00"
    named = prepare(Organisation.objects.filter(short_name=stand_in).values_list("pk"), stand_in)
    assert named is not None and len(named.at) == 1
    assert named.rows(cast.home.short_name) == [(cast.home.pk,)]
    assert named.rows("no such organisation") == []
    counted = prepare(Organisation.objects.exclude(short_name=stand_in).values("pk"), stand_in, counted=True)
    assert counted is not None and counted.sql.startswith("SELECT COUNT(*)")
    assert counted.rows(cast.home.short_name) == [(Organisation.objects.count() - 1,)]
    assert prepare(Organisation.objects.none(), stand_in) is None  # nothing to find: no statement


def test_attached_gives_what_attach_set_without_a_query_and_reads_them_otherwise(cast, django_assert_num_queries):
    from django.test.utils import CaptureQueriesContext

    from environet.compiled import Kept, attach, attached
    from messaging.models import Attachment, Message, Thread

    thread = Thread.objects.create(subject="Files", author=cast.member, organisation=cast.home)
    message = Message.objects.create(thread=thread, author=cast.member, body="See", body_html="See")
    for number in range(2):
        Attachment.objects.create(
            message=message, name=f"{number}.pdf", content_type="application/pdf", size=1, sha256="0" * 64,
            storage_key=f"files-{number}",
        )  # fmt: skip
    names = ("id", "message_id", "name", "size", "has_thumbnail")
    read = Message.objects.get(pk=message.pk)
    with CaptureQueriesContext(connection) as captured:
        assert [file.name for file in attached(read, "attachments")] == ["0.pdf", "1.pdf"]  # nothing attached
    assert len(captured) == 1
    attach(Kept(2), [read], "attachments", names)
    with django_assert_num_queries(0):
        assert [file.name for file in attached(read, "attachments")] == ["0.pdf", "1.pdf"]


def test_on_postgresql_a_statement_is_planned_once_per_pooled_connection(postgres_only):
    """With connections pooled (they outlive the request), ``fetch`` has the database prepare each statement:
    planned once, run again with other values. The values still come out as given."""
    from environet.compiled import fetch

    statement = "SELECT %s::integer + 1, %s::text || '%%'"
    assert fetch(statement, [1, "a"]) == (2, "a%")
    assert fetch(statement, [41, "b"], all_rows=True) == [(42, "b%")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%$1::integer + 1%"])
        assert cursor.fetchone()[0] == 1
