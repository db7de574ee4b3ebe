import pytest


@pytest.fixture(autouse=True)
def english_request(app, db, tmp_path, monkeypatch):
    """Services run as within a request in English (messages are translated when shown);
    uploads go to a temporary folder."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
