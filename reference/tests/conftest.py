"""What the reference tests share."""

import pytest

from reference import tables


@pytest.fixture
def loaded_dir(tmp_path, settings):
    settings.REFERENCE_DIR = tmp_path / "loaded"
    tables.clear_caches()
    yield settings.REFERENCE_DIR
    tables.clear_caches()
