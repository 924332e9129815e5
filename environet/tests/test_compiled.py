"""``environet.compiled.Kept``: a statement is compiled once per key and kept; past the bound, the least
recently used goes first, and is compiled again when asked for."""

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
