import socket

import pytest
import sqlalchemy as sa
from flask import g

from coop.core import mail
from coop.core.mail import MailStatus, OutboxMessage


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on localhost (aiosmtpd) that keeps what it receives."""
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    handler = Handler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_mail_is_delivered_after_the_request_commits(client, world, mails):
    r = client.post("/password/forgot", data={"email": "member-a@example.net"})
    assert r.status_code == 302
    sent = mails()
    assert len(sent) == 1
    assert sent[0]["To"] == "member-a@example.net"
    assert "/password/reset/" in sent[0].get_content()


def test_rolled_back_mail_is_never_sent(app, db, world, mails):
    with app.test_request_context():
        mail.queue("x@example.net", "password_reset", user=world.member_a, hours=2, link="http://x")
        db.session.rollback()
        assert not g.get("mail_to_send")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert mails() == []


def test_smtp_delivery_read_back(app, db, world, smtp_server, monkeypatch):
    handler, port = smtp_server
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    with app.test_request_context():
        msg = mail.queue("member-a@example.net", "password_reset", locale="nl",
                         user=world.member_a, hours=2, link="http://coop.test/reset/abc")
        db.session.commit()
        assert mail.send_pending([msg.id]) == (1, 0)
    assert len(handler.messages) == 1
    env = handler.messages[0]
    assert env.rcpt_tos == ["member-a@example.net"]
    body = env.content.decode()
    assert "http://coop.test/reset/abc" in body
    assert db.session.get(OutboxMessage, msg.id).status == MailStatus.SENT


def test_failed_smtp_stays_queued_and_cli_retries(app, db, world, smtp_server, monkeypatch):
    handler, port = smtp_server
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", _free_port())  # nobody listens there
    with app.test_request_context():
        msg = mail.queue("member-a@example.net", "password_reset", user=world.member_a, hours=2,
                         link="http://x")
        db.session.commit()
        assert mail.send_pending() == (0, 1)
    row = db.session.get(OutboxMessage, msg.id)
    assert row.status == MailStatus.QUEUED and row.attempts == 1 and "Error" in row.last_error
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    result = app.test_cli_runner().invoke(args=["coop", "send-mail"])
    assert result.exit_code == 0 and "1 sent, 0 failed" in result.output
    assert len(handler.messages) == 1
    db.session.expire_all()
    assert db.session.get(OutboxMessage, msg.id).status == MailStatus.SENT
