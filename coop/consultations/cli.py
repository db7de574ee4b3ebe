"""``flask coop consultation-reminders``: closes consultations whose window has passed, and
reminds members on the roll who have not answered, once, when a consultation closes within the
reminder period (run hourly or daily)."""
from __future__ import annotations

import click


def register_commands(group) -> None:
    @group.command("consultation-reminders")
    @click.option("--hours", type=int, default=None,
                  help="Remind when the consultation closes within this many hours "
                       "(default: CONSULTATION_REMINDER_HOURS, 48).")
    def consultation_reminders_command(hours: int | None):
        """Close consultations past their window; remind non-respondents once before closing."""
        from flask import current_app

        from coop.consultations import services
        from coop.extensions import db

        hours = hours if hours is not None else current_app.config["CONSULTATION_REMINDER_HOURS"]
        closed = services.close_due()
        sent = services.send_reminders(hours=hours)
        db.session.commit()
        click.echo(f"{closed} consultations closed, {sent} consultation reminders queued.")
