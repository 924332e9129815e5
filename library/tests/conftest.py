import pytest


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    """Library files go to a folder of the test's own."""
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.ATTACHMENTS_DIR
