from datetime import timedelta

import sqlalchemy as sa

from coop.auth.models import PasswordResetToken, User
from coop.core.audit import AuditEntry
from coop.core.db import utcnow
from tests.conftest import TEST_PASSWORD

GENERIC = "The e-mail address or password is not correct."


def _login(client, email, password=TEST_PASSWORD, remember=False):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def test_login_and_logout(client, world, db):
    r = _login(client, "Member-A@Example.net")  # e-mail is case-insensitive
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/me/").status_code == 200
    assert db.session.scalar(sa.select(User.last_login_at).where(User.id == world.member_a.id))
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.actor_id == world.member_a.id)).all()
    assert "auth.login" in actions
    client.post("/logout")
    assert client.get("/me/").status_code == 302


def test_wrong_password_and_unknown_email_look_the_same(client, world):
    wrong = _login(client, "member-a@example.net", "not-the-password-at-all")
    unknown = _login(client, "nobody@example.net", "not-the-password-at-all")
    assert wrong.status_code == unknown.status_code == 200
    assert GENERIC in wrong.get_data(as_text=True) and GENERIC in unknown.get_data(as_text=True)


def test_inactive_account_cannot_sign_in(client, world, db):
    world.member_a.is_active = False
    db.session.commit()
    assert GENERIC in _login(client, "member-a@example.net").get_data(as_text=True)


def test_next_parameter_only_follows_local_paths(client, world):
    r = client.post("/login?next=https://evil.example/", data={"email": "member-a@example.net", "password": TEST_PASSWORD})
    assert r.headers["Location"] == "/"
    client.post("/logout")
    r = client.post("/login?next=/c/coop-a/", data={"email": "member-a@example.net", "password": TEST_PASSWORD})
    assert r.headers["Location"] == "/c/coop-a/"


def test_rate_limit_per_account(client, world):
    for _ in range(5):
        assert _login(client, "member-a@example.net", "wrong-password-xyz").status_code == 200
    r = _login(client, "member-a@example.net", "wrong-password-xyz")
    assert r.status_code == 429
    assert "Too many attempts" in r.get_data(as_text=True)
    # even the right password is refused while the account is locked
    assert _login(client, "member-a@example.net").status_code == 429
    # another account from the same address is not locked by that
    assert _login(client, "member-b@example.net").status_code == 302


def test_rate_limit_per_client_address(client, world):
    for i in range(20):
        r = client.post("/login", data={"email": f"guess{i}@example.net", "password": "x" * 12},
                        environ_base={"REMOTE_ADDR": "203.0.113.9"})
        assert r.status_code == 200
    r = client.post("/login", data={"email": "member-a@example.net", "password": TEST_PASSWORD},
                    environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert r.status_code == 429
    other = client.post("/login", data={"email": "member-a@example.net", "password": TEST_PASSWORD},
                        environ_base={"REMOTE_ADDR": "203.0.113.10"})
    assert other.status_code == 302


def test_successful_logins_do_not_count(client, world):
    for _ in range(8):
        assert _login(client, "member-a@example.net").status_code == 302
        client.post("/logout")


def test_replayed_session_cookie_is_refused_after_logout(app, client, world):
    _login(client, "member-a@example.net")
    cookie = client.get_cookie("session")
    assert client.get("/me/").status_code == 200
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    r = thief.get("/me/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_a_new_secret_key_refuses_cookies_signed_with_the_old_one(app, client, world, monkeypatch):
    """The session serializer is kept between requests: it must follow the key."""
    _login(client, "member-a@example.net")
    assert client.get("/me/").status_code == 200
    monkeypatch.setattr(app, "secret_key", "another-secret-key-that-is-long-enough-9876543210")
    r = client.get("/me/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    monkeypatch.undo()
    assert client.get("/me/").status_code == 200


def test_remember_me_cookie_is_refused_after_logout(app, client, world):
    _login(client, "member-a@example.net", remember=True)
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.http_only
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value)
    assert thief.get("/me/").status_code == 302


def test_password_change_signs_out_other_sessions(app, client, world):
    other_device = app.test_client()
    _login(other_device, "member-a@example.net")
    _login(client, "member-a@example.net")
    r = client.post("/me/password", data={"pw-current_password": TEST_PASSWORD,
                                          "pw-password": "nieuw-en-lang-wachtwoord",
                                          "pw-confirm": "nieuw-en-lang-wachtwoord"})
    assert r.status_code == 302
    assert client.get("/me/").status_code == 200  # this device stays signed in
    assert other_device.get("/me/").status_code == 302  # the other one is out
    client.post("/logout")
    assert _login(client, "member-a@example.net", "nieuw-en-lang-wachtwoord").status_code == 302


def test_password_change_refuses_wrong_current_and_weak_new(client, world, login_as):
    login_as(client, world.member_a)
    r = client.post("/me/password", data={"pw-current_password": "wrong", "pw-password": "nieuw-en-lang-wachtwoord",
                                          "pw-confirm": "nieuw-en-lang-wachtwoord"})
    assert r.status_code == 400 and "current password is not correct" in r.get_data(as_text=True)
    r = client.post("/me/password", data={"pw-current_password": TEST_PASSWORD, "pw-password": "short",
                                          "pw-confirm": "short"})
    assert r.status_code == 400 and "at least 12 characters" in r.get_data(as_text=True)


def _reset_link(mails) -> str:
    body = mails()[-1].get_content()
    return next(line.strip() for line in body.splitlines() if "/password/reset/" in line).replace("http://coop.test", "")


def test_password_reset_flow_single_use(client, world, mails):
    client.post("/password/forgot", data={"email": "member-a@example.net"})
    link = _reset_link(mails)
    assert client.get(link).status_code == 200
    r = client.post(link, data={"password": "een-heel-nieuw-wachtwoord", "confirm": "een-heel-nieuw-wachtwoord"})
    assert r.status_code == 302
    assert _login(client, "member-a@example.net", "een-heel-nieuw-wachtwoord").status_code == 302
    client.post("/logout")
    reused = client.post(link, data={"password": "nog-een-ander-wachtwoord", "confirm": "nog-een-ander-wachtwoord"},
                         follow_redirects=True)
    assert "expired or has already been used" in reused.get_data(as_text=True)
    assert _login(client, "member-a@example.net", "nog-een-ander-wachtwoord").status_code == 200


def test_password_reset_token_expires(client, world, mails, db):
    client.post("/password/forgot", data={"email": "member-a@example.net"})
    link = _reset_link(mails)
    db.session.execute(sa.update(PasswordResetToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    r = client.get(link, follow_redirects=True)
    assert "expired or has already been used" in r.get_data(as_text=True)


def test_forgot_password_says_the_same_for_unknown_addresses(client, world, mails):
    known = client.post("/password/forgot", data={"email": "member-a@example.net"}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.net"}, follow_redirects=True)
    assert known.get_data(as_text=True).count("If this address has an account") == 1
    assert unknown.get_data(as_text=True).count("If this address has an account") == 1
    assert len(mails()) == 1


def test_overlong_fields_are_refused_without_error(client, world):
    r = client.post("/login", data={"email": "a" * 300 + "@example.net", "password": "x" * 500})
    assert r.status_code == 200
    assert "Field cannot be longer" in r.get_data(as_text=True)
