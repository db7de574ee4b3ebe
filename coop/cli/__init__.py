"""``flask coop …`` commands: demo data, audit verification, mail sending, maintenance."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

coop_cli = AppGroup("coop", help="coop maintenance commands.")


@coop_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no accounts at all.")
def demo_command(if_empty: bool):
    """Load the demo data (does nothing when it is already there)."""
    from sqlalchemy import func, select

    from coop.auth.models import User
    from coop.cli.demo import load_demo, print_logins
    from coop.extensions import db

    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database has accounts already: demo data not loaded.")
        if not db.session.scalar(select(func.count()).select_from(User).where(User.email == "admin@example.org")):
            return
    else:
        created = load_demo()
        click.echo("Demo data loaded." if created else "Demo data was already there.")
    print_logins(click.echo)


@coop_cli.command("audit-verify")
def audit_verify_command():
    """Check every tenant's audit chain; exit 1 and name the first broken entry."""
    from coop.core.audit import verify

    breaks = verify()
    if not breaks:
        click.echo("Audit log intact.")
        return
    for b in breaks:
        click.echo(f"BROKEN {b.tenant_key} at entry {b.seq}"
                   f"{f' (id {b.entry_id})' if b.entry_id else ''}: {b.reason}", err=True)
    sys.exit(1)


@coop_cli.command("send-mail")
@click.option("--limit", default=500, show_default=True, help="At most this many messages.")
def send_mail_command(limit: int):
    """Deliver queued e-mail (retries what failed before)."""
    from coop.core.mail import send_pending

    sent, failed = send_pending(limit=limit)
    click.echo(f"{sent} sent, {failed} failed.")
    if failed:
        sys.exit(1)


@coop_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option()
def create_admin_command(email: str, name: str, password: str):
    """Create a platform administrator (for a new production installation)."""
    from coop.auth import services
    from coop.auth.models import User
    from coop.core.errors import DomainError
    from coop.extensions import db
    from coop.orgs.models import Role

    try:
        services.check_new_password(password, email, name)
    except DomainError as e:
        raise click.ClickException(str(e.message))
    user = services.find_user(email)
    if user is None:
        user = User(email=email, name=name)
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
    if not user.is_admin:
        services.grant_role(user, Role.ADMIN, actor=None)
    db.session.commit()
    click.echo(f"{user.email} is a platform administrator.")


@coop_cli.command("members-due")
def members_due_command():
    """Apply status changes whose day has come (notice at year end); run daily."""
    from coop.extensions import db
    from coop.members.services import apply_due_events

    n = apply_due_events()
    db.session.commit()
    click.echo(f"{n} status changes applied.")


@coop_cli.command("purge-import-uploads")
def purge_import_uploads_command():
    """Delete uploaded import files that were left behind (run daily)."""
    from coop.members.importing import purge_stale_uploads

    click.echo(f"{purge_stale_uploads()} stale uploads removed.")


@coop_cli.command("liaison-digest")
def liaison_digest_command():
    """Daily: mail liaisons and boards the requests that are overdue or due within a week."""
    from coop.extensions import db
    from coop.liaison.digest import send_digests

    queued = send_digests()
    db.session.commit()
    click.echo(f"{queued} digest(s) queued; `flask coop send-mail` delivers them.")


@coop_cli.command("purge-rate-limits")
def purge_rate_limits_command():
    """Delete expired rate-limit counters."""
    from flask import current_app

    from coop.core.ratelimit import SQLStorage

    storage = SQLStorage(url=current_app.config["SQLALCHEMY_DATABASE_URI"])
    click.echo(f"{storage.purge_expired()} expired counters removed.")


def register(app: Flask) -> None:
    from coop.accountability.cli import register_commands as register_accountability_commands
    from coop.assets.cli import register_commands as register_asset_commands
    from coop.members.privacy import register_retention_command

    register_retention_command(coop_cli)
    register_asset_commands(coop_cli)
    from coop.voting.cli import register_commands as register_voting_commands

    register_voting_commands(coop_cli)
    register_accountability_commands(coop_cli)
    from coop.consultations.cli import register_commands as register_consultation_commands

    register_consultation_commands(coop_cli)
    app.cli.add_command(coop_cli)
