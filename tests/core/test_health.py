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


def test_unexpected_error_shows_the_500_page(tmp_path):
    app = create_app({
        "SECRET_KEY": "y" * 40, "RATELIMIT_STORAGE_URI": "memory://",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
    })
    from coop.core.permissions import public

    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("boom")

    r = app.test_client().get("/boom", headers={"Accept-Language": "en"})
    assert r.status_code == 500
    assert "Something went wrong" in r.get_data(as_text=True)
    assert "RuntimeError" not in r.get_data(as_text=True)  # no internals shown
