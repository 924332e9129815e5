import pytest

from conftest import Cast, make_person


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    """Attachments and library files go to a folder of the test's own."""
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.ATTACHMENTS_DIR


def expert_in(organisation, email: str, name: str, **fields):
    person = make_person(email, name, organisation)
    person.is_expert = True
    person.expert_topics = fields.get("topics", ["B"])
    person.expert_conventions = fields.get("conventions", ["cites"])
    person.expert_languages = fields.get("languages", ["en", "fr"])
    person.expert_regions = fields.get("regions", ["africa"])
    person.save()
    return person


@pytest.fixture
def expert(cast: Cast):
    """An expert of the secretariat on wildlife (topic B, CITES), in English and French, covering Africa."""
    return expert_in(cast.secretariat, "emma@wco.example", "Emma Expert")


@pytest.fixture
def far_expert(cast: Cast):
    """An expert of the other organisation, on waste (topic A, Basel)."""
    return expert_in(
        cast.other, "wes@douane.example", "Wes Waste", topics=["A"], conventions=["basel"], languages=["fr"], regions=[]
    )
