import pytest


@pytest.fixture(autouse=True)
def _network_urls(settings):
    settings.ROOT_URLCONF = "network.tests.urls"
