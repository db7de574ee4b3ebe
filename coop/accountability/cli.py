"""``flask coop followup-reminders``: the board is reminded of follow-up items that fall due
within two weeks (run daily)."""
from __future__ import annotations

import click


def register_commands(group) -> None:
    @group.command("followup-reminders")
    def followup_reminders_command():
        """Queue reminders of follow-up items due within two weeks (once per due date); run daily."""
        from coop.accountability.services import send_reminders
        from coop.extensions import db

        n = send_reminders()
        db.session.commit()
        click.echo(f"{n} follow-up reminders queued.")
