"""The roadmap's words (network.selectors._entries) put each repeated value in words once: they must be exactly
what ``selectors.shown`` says of each field, whatever the states."""

from hypothesis import given, settings
from hypothesis import strategies as st

from network import history, selectors

VALUES = {
    "title": st.sampled_from(["", "Port training", '=HYPERLINK("x")']),
    "kind": st.sampled_from(["", "training", "tool", "unknown-kind"]),
    "status": st.sampled_from(["proposed", "completed", "cancelled"]),
    "leads": st.lists(st.integers(1, 4), max_size=3, unique=True),
    "partners": st.lists(st.integers(1, 4), max_size=3, unique=True),
    "countries": st.lists(st.sampled_from(["KE", "TZ", "FR", "XX", ""]), max_size=3, unique=True),
    "regions": st.lists(st.sampled_from(["011", "014", "999"]), max_size=2, unique=True),
    "conventions": st.lists(st.sampled_from(["basel", "cites", "nothing"]), max_size=2, unique=True),
    "topics": st.lists(st.sampled_from(["A", "B", "Z"]), max_size=2, unique=True),
    "commodity_focus": st.sampled_from(["", "e-waste"]),
    "starts_on": st.sampled_from([None, "2027-03-01"]),
    "ends_on": st.sampled_from([None, "2027-03-05"]),
    "funding_source": st.sampled_from(["", "Demo donor"]),
    "amount": st.sampled_from([None, "1000.00"]),
    "currency": st.sampled_from(["", "USD"]),
    "funding": st.sampled_from(["", "sought", "secured"]),
    "description": st.sampled_from(["", "Two days in class."]),
    "expected_outputs": st.sampled_from(["", "A manual."]),
    "contact": st.sampled_from([None, 1, 2]),
}


@st.composite
def states(draw) -> dict:
    # A field may be missing from a state (a replay of rows that never named it).
    return {name: draw(values) for name, values in VALUES.items() if draw(st.integers(0, 9))}


@settings(max_examples=60, deadline=None)
@given(roadmap=st.lists(states(), max_size=6))
def test_the_words_of_each_field_are_what_shown_says(roadmap):
    by_id = {number: state for number, state in enumerate(roadmap, start=1)}
    names = selectors.Names(organisations={1: "KRA", 2: "WCO"}, people={1: "Carla Clerk"})
    entries = selectors._entries(by_id, names)
    assert sorted(entry.id for entry in entries) == sorted(by_id)
    for entry in entries:
        assert entry.fields == {
            name: selectors.shown(name, by_id[entry.id].get(name), names) for name in history.FIELDS
        }
