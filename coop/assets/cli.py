"""``flask coop assets-reminders``: upkeep reminders to the responsible people (run daily)."""
from __future__ import annotations

import click


def register_commands(group) -> None:
    @group.command("assets-reminders")
    def assets_reminders_command():
        """Queue a reminder for maintenance due within two weeks (once per task); run daily."""
        from coop.assets.services import send_reminders
        from coop.extensions import db

        n = send_reminders()
        db.session.commit()
        click.echo(f"{n} maintenance reminders queued.")
