"""Forms of the follow-up and the annual report (the services check the rules)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from coop.accountability.models import PHASE_LABELS
from coop.core.i18n import lazy_gettext as _l
from coop.members.forms_capital import EuroField

MAX_CENTS = 10**13
TEXT_MAX = 20_000


class UpdateForm(FlaskForm):
    status_id = SelectField(_l("Status"), coerce=int, choices=[], validators=[InputRequired()])
    text = TextAreaField(_l("Update"), validators=[Optional(), Length(max=TEXT_MAX)],
                         description=_l("What happened; required when marking it done."))
    progress = IntegerField(_l("Progress (%)"), validators=[Optional(), NumberRange(min=0, max=100)],
                            description=_l("Leave empty for the status's usual progress."))
    reason = TextAreaField(_l("Reason for dropping it"), validators=[Optional(), Length(max=TEXT_MAX)],
                           description=_l("Required when the status means dropped."))
    owner = StringField(_l("Owner"), validators=[Optional(), Length(max=200)],
                        description=_l("Who carries it out."))
    due_on = DateField(_l("Due date"), validators=[Optional()])
    posted_on = DateField(_l("Date of the update"), validators=[Optional()],
                          description=_l("Leave empty for today."))


class StatusForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=80)],
                       description=_l("For example “Waiting for the municipality”."))
    phase = SelectField(_l("Counts as"), choices=[(p.value, label) for p, label in PHASE_LABELS.items()])
    progress = IntegerField(_l("Progress (%)"), validators=[Optional(), NumberRange(min=0, max=100)],
                            description=_l("Leave empty for the usual progress of what it counts as."))


class StartReportForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=1800, max=9999)])


class ReportForm(FlaskForm):
    foreword = TextAreaField(_l("Foreword by the board"), validators=[Optional(), Length(max=TEXT_MAX)],
                             description=_l("Plain text; a blank line starts a new paragraph."))
    members_text = TextAreaField(_l("About the members"), validators=[Optional(), Length(max=TEXT_MAX)])
    meetings_text = TextAreaField(_l("About the general meetings"), validators=[Optional(), Length(max=TEXT_MAX)])
    assets_text = TextAreaField(_l("About the assets"), validators=[Optional(), Length(max=TEXT_MAX)])
    liaison_text = TextAreaField(_l("About the municipality"), validators=[Optional(), Length(max=TEXT_MAX)])
    outlook = TextAreaField(_l("Outlook"), validators=[Optional(), Length(max=TEXT_MAX)])
    income_cents = EuroField(_l("Income (euros)"), validators=[Optional()], max_cents=MAX_CENTS)
    costs_cents = EuroField(_l("Costs (euros)"), validators=[Optional()], max_cents=MAX_CENTS)
    member_capital_cents = EuroField(_l("Member capital at year end (euros)"), validators=[Optional()],
                                     max_cents=MAX_CENTS,
                                     description=_l("Suggested from the share ledger; enter the figure of the accounts."))
    auditors_statement = TextAreaField(_l("Statement of the auditors (kascommissie)"),
                                       validators=[Optional(), Length(max=TEXT_MAX)])


class PublishForm(FlaskForm):
    #: The published PDF is one document with one SHA-256, in the language the board chooses.
    locale = SelectField(_l("Language of the published PDF"), default="nl",
                         choices=[("nl", "Nederlands"), ("en", "English")])
    is_public = BooleanField(_l("Also show it on the public transparency page (no personal data)"))


class PublicForm(FlaskForm):
    is_public = BooleanField(_l("Show on the public transparency page"))
