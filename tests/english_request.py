"""An autouse fixture for areas whose services are tested as within a request: a conftest
imports ``english_request`` from here (voting, consultations)."""
import pytest


@pytest.fixture(autouse=True)
def english_request(request, app):
    """Services run as within a request in English (messages are translated when shown), on
    the rolled-back test session — except for tests that need real connections and commits."""
    if request.node.get_closest_marker("real_commits"):
        yield
        return
    request.getfixturevalue("db")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
