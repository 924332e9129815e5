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
