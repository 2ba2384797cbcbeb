import pytest
from django.test import Client

PROBE_TOKEN = "probe-token-for-tests"


@pytest.fixture
def client(settings):
    """A client presenting the readiness probe's token, so tests here read /readyz/'s checks.

    Who else may read them (and who may not) is tested in test_readyz_access.py, with
    clients of its own.
    """
    settings.READYZ_TOKEN = PROBE_TOKEN
    return Client(headers={"X-Probe-Token": PROBE_TOKEN})
