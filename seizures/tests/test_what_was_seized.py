"""The seizure list says what was seized, in words and the reader's units, in a fixed number of queries."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from conftest import signed_in
from seizures.templatetags import quantities
from seizures.tests.builders import file, line

LIST = "/seizures/"


def scales(**fields) -> dict:
    return line("cites", "Manis gigantea", specimen_type="SCA", quantity=Decimal("2100"), unit="KGM", **fields)


def test_the_list_says_what_was_seized_with_the_unit_in_words(cast):
    file(
        cast.member,
        lines=[
            scales(),
            line("cites", "Loxodonta africana", specimen_type="TUS", quantity=Decimal("12"), unit="H87"),
            line("basel", "A1180", quantity=Decimal("3.5"), unit="TNE"),
        ],
    )
    page = signed_in(cast.member).get(LIST).content.decode()
    assert "What was seized" in page
    assert '<td title="Manis gigantea SCA KGM">Manis gigantea (giant pangolin), scales: 2,100 kg; +2 more</td>' in page


def test_the_list_asks_as_many_queries_for_40_records_as_for_5(cast):
    client = signed_in(cast.member)
    for _ in range(5):
        file(cast.member, lines=[scales(), line("cites", "Loxodonta africana", quantity=Decimal("1"), unit="KGM")])
    client.get(LIST)  # anything done once per process (sessions, caches) is done before counting
    with CaptureQueriesContext(connection) as five:
        assert client.get(LIST).status_code == 200
    for _ in range(35):
        file(cast.member, lines=[scales(), line("cites", "Loxodonta africana", quantity=Decimal("1"), unit="KGM")])
    with CaptureQueriesContext(connection) as forty:
        page = client.get(LIST).content.decode()
    assert page.count("Manis gigantea (giant pangolin), scales: 2,100 kg; +1 more") == 25  # one page of 40
    # One more: the count of every record. A page that is not full is the last, and says the count itself.
    assert len(forty) == len(five) + 1
    counted = [query["sql"] for query in forty if query["sql"].startswith("SELECT COUNT(*)")]
    assert len(counted) == 1 and not any(query["sql"].startswith("SELECT COUNT(*)") for query in five)


def test_a_row_says_nothing_of_records_the_viewer_may_not_read(cast):
    file(cast.member, lines=[line("cites", "Manis gigantea", quantity=Decimal("7"), unit="KGM")])  # a draft of KRA
    file(cast.member, lines=[line("cites", "Loxodonta africana", quantity=Decimal("9"), unit="KGM")], share=True)
    page = signed_in(cast.other_focal_point).get(LIST).content.decode()
    assert "Loxodonta africana" in page
    assert "Manis gigantea" not in page


def test_quantities_follow_the_readers_language():
    with translation.override("fr"):
        assert quantities.quantity(Decimal("2100.500"), "KGM") == "2\u202f100,5\u202fkg"
        assert quantities.amount(Decimal("1234567")) == "1\u202f234\u202f567"
        assert quantities.unit_name("MTQ") == "m³"
    with translation.override("es"):
        assert quantities.quantity(Decimal("2100.5"), "TNE") == "2.100,5 t"
    with translation.override("en"):
        assert quantities.quantity(Decimal("2100.000"), "KGM") == "2,100 kg"


def test_units_without_a_cldr_name_keep_the_name_of_recommendation_20_and_unknown_codes_show_as_themselves():
    with translation.override("en"):
        assert quantities.quantity(Decimal("12"), "H87") == "12 pieces"
        assert quantities.unit_name("DZN") == "dozen"
        assert quantities.unit_name("XYZ") == "XYZ"
        assert quantities.quantity(Decimal("3"), "") == "3"
        assert quantities.quantity(None, "KGM") == ""


def test_units_without_a_cldr_name_agree_with_the_number_in_the_readers_language():
    with translation.override("en"):
        assert [quantities.quantity(Decimal(number), "H87") for number in ("1", "1.000", "2", "0.5")] == [
            *("1 piece", "1 piece", "2 pieces", "0.5 pieces"),
        ]
        assert quantities.quantity(Decimal("3"), "PR") == "3 pairs"
        assert quantities.quantity(Decimal("2"), "DZN") == "2 dozen"
        assert quantities.quantity(Decimal("2"), "BFT") == "2 board feet"
    with translation.override("fr"):  # singular below 2, as CLDR says of French
        assert [quantities.quantity(Decimal(number), "H87") for number in ("1", "1.5", "2", "2100")] == [
            *("1 pièce", "1,5 pièce", "2 pièces", "2\u202f100 pièces"),
        ]
        assert quantities.quantity(Decimal("2"), "DZN") == "2 douzaines"
    with translation.override("es"):
        assert [quantities.quantity(Decimal(number), "H87") for number in ("1", "1.5", "2")] == [
            *("1 pieza", "1,5 piezas", "2 piezas"),
        ]


def test_the_record_page_says_pieces_in_the_plural(cast):
    seizure = file(cast.member, lines=[line("cites", "Diceros bicornis", specimen_type="HOR", quantity=2, unit="H87")])
    page = signed_in(cast.member).get(f"/seizures/{seizure.pk}/").content.decode()
    assert '<span title="H87">2 pieces</span>' in page


def test_specimen_terms_are_in_words_and_unknown_ones_keep_their_code():
    assert quantities.specimen("TUS") == "tusks"
    assert quantities.specimen("ZZZ") == "ZZZ"


def test_the_record_page_gives_quantities_and_specimen_terms_in_words_with_the_code_on_hover(cast):
    tusks = line("cites", "Loxodonta africana", specimen_type="TUS", quantity=Decimal("2100"), unit="KGM")
    seizure = file(cast.member, lines=[tusks])
    page = signed_in(cast.member).get(f"/seizures/{seizure.pk}/").content.decode()
    assert '<span title="KGM">2,100 kg</span>' in page
    assert '<span title="TUS">tusks</span>' in page


def test_the_record_page_formats_quantities_for_a_french_reader(cast):
    cast.member.language = "fr"
    cast.member.save()
    seizure = file(cast.member, lines=[line("cites", "Manis gigantea", quantity=Decimal("2100.5"), unit="MTQ")])
    page = signed_in(cast.member).get(f"/seizures/{seizure.pk}/").content.decode()
    assert '<span title="MTQ">2\u202f100,5\u202fm³</span>' in page


def test_the_records_thread_says_quantities_in_words(cast, django_capture_on_commit_callbacks):
    seizure = file(
        cast.member,
        share=True,
        capture=django_capture_on_commit_callbacks,
        lines=[line("cites", "Manis gigantea", quantity=Decimal("12"), unit="H87")],
    )
    assert seizure.thread is not None
    first = seizure.thread.messages.order_by("pk")[0]
    assert "12 pieces" in first.body
    assert "H87" not in first.body


def test_the_list_names_the_country_with_its_code_on_hover(cast):
    file(cast.member, place="Mombasa port")
    page = signed_in(cast.member).get(LIST).content.decode()
    assert 'Mombasa port, <span title="KE">Kenya</span>' in page


def test_values_are_money_in_the_readers_language(cast):
    with translation.override("fr"):
        assert quantities.money(Decimal("1500.50"), "USD") == "1\u202f500,50\u00a0$US"
    with translation.override("en"):
        assert quantities.money(Decimal("1500.5"), "usd") == "$1,500.50"
        assert quantities.money(Decimal("1500.5"), "") == "1,500.5"
        assert quantities.money(None, "USD") == ""
    seizure = file(cast.member, lines=[line(value=Decimal("1500.00"), currency="KES")])
    page = signed_in(cast.member).get(f"/seizures/{seizure.pk}/").content.decode()
    assert '<span title="KES">KES1,500.00</span>' in page
