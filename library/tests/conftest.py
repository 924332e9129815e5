import pytest


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    """Library files go to a folder of the test's own."""
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.ATTACHMENTS_DIR


@pytest.fixture
def helpers(settings, monkeypatch):
    """Two PDF helper processes (library/pdf_helpers.py), every run of pages given to one counted: (start, stop)."""
    from library import pdf_helpers

    settings.LIBRARY_PDF_HELPERS = 2
    monkeypatch.setattr(pdf_helpers, "_failed", False)
    given: list[tuple[int, int]] = []
    read = pdf_helpers.read

    def counted(content: bytes, start: int, stop: int):
        given.append((start, stop))
        return read(content, start, stop)

    monkeypatch.setattr(pdf_helpers, "read", counted)
    return given
