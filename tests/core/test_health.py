from coop import create_app


def test_health_reports_database_ok(client):
    r = client.get("/health")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "database": "ok"}


def test_health_answers_503_when_database_is_unreachable(tmp_path):
    app = create_app({
        "SECRET_KEY": "y" * 40,
        # a database file inside a directory that does not exist cannot be opened
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'x.sqlite'}",
        "RATELIMIT_STORAGE_URI": "memory://",
    })
    r = app.test_client().get("/health")
    assert r.status_code == 503
    assert r.get_json()["database"] == "unreachable"
