from functools import cache

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, EmailField, IntegerField, SelectField,
                     SelectMultipleField, StringField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional
from wtforms.fields.core import UnboundField
from wtforms.widgets import CheckboxInput, ListWidget

from coop.core.i18n import lazy_gettext as _l
from coop.orgs.models import BOARD_POSITION_LABELS, DOMAIN_LABELS, BoardPosition, Domain


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


SLUG_HINT = _l("Part of the web address: lower-case letters, digits and hyphens.")


class MunicipalityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(_l("Web address name"), description=SLUG_HINT,
                       validators=[DataRequired(), Length(min=2, max=60)])
    cbs_code = StringField(_l("CBS code"), description=_l("GM followed by four digits, e.g. GM0014."),
                           validators=[DataRequired(), Length(max=10)])


class CooperativeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(_l("Web address name"), description=SLUG_HINT,
                       validators=[DataRequired(), Length(min=2, max=60)])
    kvk_number = StringField(_l("KvK number"), description=_l("Eight digits."),
                             validators=[DataRequired(), Length(max=12)])
    municipality_id = SelectField(_l("Municipality"), coerce=int, validators=[DataRequired()])
    domains = MultiCheckboxField(_l("Domains"), choices=[(d.value, DOMAIN_LABELS[d]) for d in Domain])
    founded_on = DateField(_l("Founded on"), validators=[Optional()])


POSITION_CHOICES = [(p.value, BOARD_POSITION_LABELS[p]) for p in BoardPosition]


class CoopInviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[("member", _l("Member")), ("board", _l("Board")),
                                            ("auditor", _l("Auditor (kascommissie)"))])
    board_position = SelectField(_l("Board position"), choices=POSITION_CHOICES,
                                 description=_l("Only used for the board role."))


class LiaisonInviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])


class AdminInviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    target = SelectField(_l("Invite as"), description=_l(
        "The first board member of a cooperative, or a liaison of a municipality."))
    board_position = SelectField(_l("Board position"), choices=POSITION_CHOICES,
                                 description=_l("Only used for a board member."))


def _int(label, lo, hi=None, hint=None):
    return IntegerField(label, description=hint, validators=[DataRequired() if lo > 0 else Optional(),
                                                              NumberRange(min=lo, max=hi)])


class StatutesForm(FlaskForm):
    ordinary_majority_num = _int(_l("Ordinary majority: more than … (numerator)"), 1, 99,
                                 _l("For example 1 and 2: more than half of the votes cast."))
    ordinary_majority_den = _int(_l("Ordinary majority: … of the votes cast (denominator)"), 2, 100)
    qualified_majority_num = _int(_l("Qualified majority: at least … (numerator)"), 1, 99,
                                  _l("For example 2 and 3: at least two thirds of the votes cast, for statute changes, dissolution or merger."))
    qualified_majority_den = _int(_l("Qualified majority: … of the votes cast (denominator)"), 1, 100)
    qualified_quorum_num = _int(_l("Quorum for qualified decisions (numerator, 0 for none)"), 0, 99,
                                _l("For example 2 and 3: two thirds of all members must be present or represented."))
    qualified_quorum_den = _int(_l("Quorum: … of all members present or represented (denominator)"), 1, 100)
    second_meeting_within_weeks = _int(_l("Second meeting without quorum within (weeks)"), 1, 52,
                                       _l("When the quorum is not met, a second meeting within this many weeks decides without a quorum."))
    is_tie_rejected = BooleanField(_l("A tie rejects the proposal"))
    is_blank_counted_as_cast = BooleanField(_l("Blank votes count as cast"))
    has_election_runoff = BooleanField(_l("Elections: run-off between the top two without an absolute majority"))
    is_people_vote_secret = BooleanField(_l("Votes about people are secret"))
    is_vote_weighted = BooleanField(_l("Some votes count more than others (by member category or shares)"))
    has_proxies = BooleanField(_l("Members may vote by proxy"))
    max_proxies_per_holder = _int(_l("Proxies one member may hold at most"), 0, 20)
    convocation_days = _int(_l("Convocation at least … days before the meeting"), 7, 90,
                            _l("The law requires at least 7 days."))
    amendment_convocation_days = _int(_l("Statute amendments: convocation at least … days before"), 7, 90)
    amendment_text_days = _int(_l("Statute amendments: text available at least … days before"), 5, 90)
    proposal_min_members = _int(_l("Members' agenda proposals: signed by at least … members"), 0, 10000,
                                _l("0: this route is not open. The lower of the two thresholds applies."))
    proposal_min_percent = _int(_l("Members' agenda proposals: or by at least … percent of the members"), 0, 100,
                                _l("0: this route is not open."))
    has_electronic_voting = BooleanField(_l("Electronic voting before the meeting is allowed"))
    electronic_voting_days_before = _int(_l("Electronic voting opens at most … days before"), 0, 30,
                                         _l("The law allows at most 30 days."))
    is_admission_by_board = BooleanField(_l("The board decides on admission"))
    notice_period_weeks = _int(_l("Notice period (weeks)"), 0, 52)
    is_notice_at_year_end = BooleanField(_l("Notice takes effect at the end of the financial year"))
    financial_year_end_month = _int(_l("Financial year ends: month"), 1, 12)
    financial_year_end_day = _int(_l("Financial year ends: day"), 1, 31)
    expulsion_appeal_months = _int(_l("Months to appeal an expulsion"), 1, 12,
                                   _l("The law requires at least one month."))
    member_retention_years = _int(_l("Years that data of former members is kept"), 0, 20)
    financial_retention_years = _int(_l("Years that financial records are kept"), 7, 30,
                                     _l("Tax law requires at least 7 years."))


def statutes_settings(profile) -> list[tuple[object, object, bool]]:
    """(label, value, is_yes_no) for every setting of the statutes form, in form order:
    the read-only statutes page shows them without building the form."""
    rows = []
    for name, label, is_bool in _statutes_fields():
        rows.append((label, getattr(profile, name), is_bool))
    return rows


@cache
def _statutes_fields() -> tuple[tuple[str, object, bool], ...]:
    unbound = sorted(((name, f) for name, f in vars(StatutesForm).items()
                      if isinstance(f, UnboundField)), key=lambda nf: nf[1].creation_counter)
    return tuple((name, f.kwargs.get("label", f.args[0] if f.args else name),
                  issubclass(f.field_class, BooleanField)) for name, f in unbound)
