"""Forms of the capital and fee pages (the services check the rules; these check the input)."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import (DateField, HiddenField, IntegerField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from coop.core.i18n import lazy_gettext as _l
from coop.members.capital import KIND_LABELS, MAX_FEE_CENTS, MAX_NOMINAL_CENTS, MAX_QUANTITY
from coop.members.models import ShareTransactionKind

_GROUPED = {".": re.compile(r"^\d{1,3}(\.\d{3})+$"), ",": re.compile(r"^\d{1,3}(,\d{3})+$")}


def parse_euros(text: str) -> int:
    """An amount in euros as people type it → integer cents; ValueError when it is not one.

    ``50``, ``50,00``, ``50.00``, ``€ 50,-``, ``1.234,56`` and ``1,234.56`` are all understood.
    One separator followed by one or two digits is the decimal separator; followed by three
    digits it groups thousands (``1.250`` is € 1250 — as a Dutch reader means it). Negative
    amounts and more than two decimals are refused.
    """
    s = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    s = s.removeprefix("€").removeprefix("EUR").removesuffix("EUR").removesuffix("€")
    s = re.sub(r"[.,]-$", "", s)  # "50,-" is Dutch for 50 euros
    if not s or not re.fullmatch(r"[0-9.,]+", s) or not s[0].isdigit() or not s[-1].isdigit():
        raise ValueError(text)
    whole, cents = s, "00"
    last = max(s.rfind("."), s.rfind(","))
    if last >= 0:
        tail = s[last + 1:]
        separators = {c for c in s if c in ".,"}
        if len(separators) == 2 or (len(tail) in (1, 2) and s.count(s[last]) == 1):
            whole, cents = s[:last], tail.ljust(2, "0")
            if len(tail) not in (1, 2):
                raise ValueError(text)
        elif len(tail) != 3:
            raise ValueError(text)
    if any(c in whole for c in ".,"):
        group = next(c for c in ".," if c in whole)
        if not _GROUPED[group].match(whole):
            raise ValueError(text)
        whole = whole.replace(group, "")
    return int(Decimal(whole) * 100 + Decimal(cents))


def format_euros(cents: int | None) -> str:
    """Cents for an input field, with the decimal separator of the user's language."""
    if cents is None:
        return ""
    separator = "," if str(get_locale() or "en").startswith("nl") else "."
    return f"{cents // 100}{separator}{cents % 100:02d}"


class EuroField(StringField):
    """An amount typed in euros (``50,00`` or ``50.00``); ``.data`` is integer cents."""

    def __init__(self, label=None, validators=None, *, max_cents: int, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.max_cents = max_cents
        self.render_kw = {"inputmode": "decimal", "autocomplete": "off", **(self.render_kw or {})}

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_euros(self.data) if isinstance(self.data, int) else ""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_euros(valuelist[0])
            except ValueError:
                raise ValueError(_l("Give an amount in euros, e.g. 50,00.")) from None
            if self.data > self.max_cents:
                raise ValueError(_l("That amount is too large."))


class ShareTypeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)],
                       description=_l("For example “Participation” or “Member share”."))
    nominal_cents = EuroField(_l("Nominal value per share (euros)"), validators=[InputRequired()],
                              description=_l("For example 50,00."), max_cents=MAX_NOMINAL_CENTS)
    min_per_member = IntegerField(_l("Minimum per member"), default=0,
                                  validators=[InputRequired(), NumberRange(min=0, max=MAX_QUANTITY)],
                                  description=_l("Shares a member must hold (0 for none)."))
    max_per_member = IntegerField(_l("Maximum per member"),
                                  validators=[Optional(), NumberRange(min=1, max=MAX_QUANTITY)],
                                  description=_l("Leave empty for no maximum."))


KIND_CHOICES = [(k.value, KIND_LABELS[k]) for k in ShareTransactionKind]


class ProposeTransactionForm(FlaskForm):
    kind = RadioField(_l("Kind of transaction"), choices=KIND_CHOICES, default="issue",
                      validators=[InputRequired()])
    share_type_id = SelectField(_l("Share type"), coerce=int, validators=[InputRequired()])
    member_number = IntegerField(_l("Member number"), validators=[InputRequired(), NumberRange(min=1)],
                                 description=_l("Issue: the member who receives. Transfer and "
                                                "redemption: the member who gives the shares."))
    counterparty_number = IntegerField(_l("Receiving member number (transfer only)"),
                                       validators=[Optional(), NumberRange(min=1)])
    quantity = IntegerField(_l("Number of shares"),
                            validators=[InputRequired(), NumberRange(min=1, max=MAX_QUANTITY)])
    effective_on = DateField(_l("Effective date"), default=date.today, validators=[InputRequired()],
                             description=_l("The day from which the shares count; at most a "
                                            "year ahead."))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)],
                         description=_l("For the board, e.g. the payment reference."))

    def validate_counterparty_number(self, field):
        if self.kind.data == "transfer" and field.data is None:
            raise ValueError(_l("A transfer needs the member who receives the shares."))


class MemberCategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)],
                       description=_l("For example “Household” or “Business”."))
    yearly_fee_cents = EuroField(_l("Yearly fee (euros)"), validators=[InputRequired()],
                                 description=_l("Fees already charged keep their amount."),
                                 max_cents=MAX_FEE_CENTS)
    vote_weight = IntegerField(_l("Vote weight"), default=1,
                               validators=[InputRequired(), NumberRange(min=1, max=1000)],
                               description=_l("Votes per member when the statutes weigh votes; "
                                              "otherwise every member has one vote."))


def _this_year() -> int:
    return date.today().year


class ChargeYearForm(FlaskForm):
    year = IntegerField(_l("Year"), default=_this_year,
                        validators=[InputRequired(), NumberRange(min=1900, max=2200)])


class MarkPaidForm(FlaskForm):
    paid_on = DateField(_l("Paid on"), default=date.today, validators=[InputRequired()])
    next = HiddenField()


class NextForm(FlaskForm):
    """Only the CSRF token and where to go back to."""

    next = HiddenField()
