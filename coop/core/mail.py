"""The mail outbox: services queue messages in the transaction, a sender delivers them.

Queued messages are delivered right after the request's transaction commits (so a rolled-back
change never sends mail); what fails stays queued for ``flask coop send-mail``. In development
messages are written as ``.eml`` files under ``instance/mail/``; in production they go by SMTP.
"""
from __future__ import annotations

import enum
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, g, render_template
from flask_babel import force_locale
from sqlalchemy import ForeignKey, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from coop.core.db import str_enum, utcnow
from coop.extensions import db

MAX_ATTEMPTS = 10


class MailStatus(enum.Enum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    #: Optional iCalendar or other attachment, stored as text with its file name.
    attachment_name: Mapped[str | None] = mapped_column(String(120))
    attachment_type: Mapped[str | None] = mapped_column(String(80))
    attachment_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(str_enum(MailStatus, 16), default=MailStatus.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperative.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


def queue(to: str, template: str, *, locale: str | None = None, cooperative=None,
          attachment: tuple[str, str, str] | None = None, **context) -> OutboxMessage:
    """Render ``templates/mail/<template>.txt`` in the recipient's language and queue it.

    The template's first line is ``Subject: …``; the rest is the body.
    """
    subject, body = render(template, locale=locale, cooperative=cooperative, **context)
    msg = OutboxMessage(
        to_address=to,
        subject=subject,
        body_text=body,
        cooperative_id=cooperative.id if cooperative is not None else None,
    )
    if attachment:
        msg.attachment_name, msg.attachment_type, msg.attachment_text = attachment
    db.session.add(msg)
    db.session.flush()
    db.session.info.setdefault("queued_mail", []).append(msg.id)
    return msg


def render(template: str, *, locale: str | None = None, cooperative=None, **context) -> tuple[str, str]:
    """``(subject, body)`` of ``templates/mail/<template>.txt`` in ``locale`` (for services that
    queue many messages in bulk; :func:`queue` uses it for one)."""
    with force_locale(locale or "en"):
        rendered = render_template(f"mail/{template}.txt", cooperative=cooperative, **context)
    first, _, body = rendered.lstrip().partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"mail/{template}.txt must start with a Subject: line")
    return first[len("Subject:"):].strip(), body.strip() + "\n"


def _build(msg: OutboxMessage) -> EmailMessage:
    em = EmailMessage()
    em["From"] = current_app.config["MAIL_FROM"]
    em["To"] = msg.to_address
    em["Subject"] = msg.subject
    em["Date"] = formatdate(localtime=False)
    em["Message-ID"] = make_msgid(domain="coop.local")
    em.set_content(msg.body_text)
    if msg.attachment_text is not None:
        maintype, _, subtype = (msg.attachment_type or "text/plain").partition("/")
        em.add_attachment(msg.attachment_text.encode(), maintype=maintype, subtype=subtype,
                          filename=msg.attachment_name)
    return em


def _transport(em: EmailMessage, msg_id: int) -> None:
    cfg = current_app.config
    backend = cfg["MAIL_BACKEND"]
    if backend == "file":
        folder = Path(cfg["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{utcnow():%Y%m%dT%H%M%S}-{msg_id:06d}.eml").write_bytes(em.as_bytes())
    elif backend == "smtp":
        cls = smtplib.SMTP_SSL if cfg["SMTP_SSL"] else smtplib.SMTP
        with cls(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=20) as smtp:
            if cfg["SMTP_STARTTLS"]:
                smtp.starttls()
            if cfg["SMTP_USER"]:
                smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"] or "")
            smtp.send_message(em)
    elif backend == "null":
        return
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


def send_pending(ids: list[int] | None = None, limit: int = 500) -> tuple[int, int]:
    """Deliver queued messages (all, or the given ids); commit per message. Returns (sent, failed)."""
    query = select(OutboxMessage).where(OutboxMessage.status == MailStatus.QUEUED)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    sent = failed = 0
    for msg in db.session.scalars(query.order_by(OutboxMessage.id).limit(limit)).all():
        msg.attempts += 1
        try:
            _transport(_build(msg), msg.id)
        except Exception as exc:  # noqa: BLE001 — any transport error keeps the message queued
            msg.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if msg.attempts >= MAX_ATTEMPTS:
                msg.status = MailStatus.FAILED
            failed += 1
            current_app.logger.warning("mail %s not sent: %s", msg.id, msg.last_error)
        else:
            msg.status = MailStatus.SENT
            msg.sent_at = utcnow()
            msg.last_error = None
            sent += 1
        db.session.commit()
    return sent, failed


@event.listens_for(Session, "after_commit")
def _remember_committed_mail(session: Session) -> None:
    ids = session.info.pop("queued_mail", None)
    if ids:
        try:
            g.setdefault("mail_to_send", []).extend(ids)
        except RuntimeError:  # outside an app context (scripts): the CLI sender picks them up
            pass


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_mail(session: Session) -> None:
    session.info.pop("queued_mail", None)


def init_app(app) -> None:
    @app.after_request
    def deliver_committed_mail(response):
        ids = g.pop("mail_to_send", None)
        if ids:
            try:
                send_pending(ids)
            except Exception:  # noqa: BLE001 — never fail the user's request over mail
                current_app.logger.exception("delivering mail after commit failed")
                db.session.rollback()
        return response
