import pytest

from coop import create_app
from coop.config import DEV_SECRET_KEY, ConfigError


@pytest.fixture
def prod_env(monkeypatch, tmp_path):
    monkeypatch.setenv("COOP_ENV", "production")
    monkeypatch.setenv("COOP_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    monkeypatch.delenv("COOP_SECRET_KEY", raising=False)
    # The limiter is one object per process: an app made here must not point it elsewhere.
    monkeypatch.setenv("COOP_RATELIMIT_STORAGE_URI", "memory://")
    return monkeypatch


@pytest.mark.parametrize("secret", [None, DEV_SECRET_KEY, "short-secret"])
def test_production_refuses_missing_or_development_secret(prod_env, secret):
    if secret:
        prod_env.setenv("COOP_SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="secret key"):
        create_app()


def test_production_starts_with_real_secret_and_secure_cookies(prod_env):
    prod_env.setenv("COOP_SECRET_KEY", "x" * 48)
    app = create_app()
    assert app.config["IS_PRODUCTION"]
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_sends_hsts(prod_env):
    prod_env.setenv("COOP_SECRET_KEY", "x" * 48)
    app = create_app()
    with app.test_request_context():
        resp = app.make_response(("x", 200))
        resp = app.process_response(resp)
    assert "max-age" in resp.headers["Strict-Transport-Security"]


def test_postgres_url_uses_psycopg3(prod_env):
    prod_env.setenv("COOP_SECRET_KEY", "x" * 48)
    prod_env.setenv("COOP_DATABASE_URL", "postgresql://u:p@localhost/coop")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
