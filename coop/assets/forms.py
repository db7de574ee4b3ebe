"""Forms of the asset pages (the services check the rules; these check the input)."""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, DecimalField, FloatField, HiddenField, IntegerField,
                     RadioField, SelectField, StringField, TextAreaField, TimeField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from coop.assets.models import KIND_LABELS, PARTICIPATION_KIND_LABELS, STATUS_LABELS
from coop.core.i18n import lazy_gettext as _l
from coop.members.forms_capital import EuroField
from coop.members.models import ShareTransactionKind

MAX_INT = 2_000_000_000


class AssetForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)],
                       description=_l("For example “Zonnedak sporthal” or “Deelauto Zoë”."))
    kind = SelectField(_l("Kind"), choices=[(k.value, label) for k, label in KIND_LABELS.items()],
                       validators=[InputRequired()])
    status = SelectField(_l("Status"), choices=[(s.value, label) for s, label in STATUS_LABELS.items()],
                         validators=[InputRequired()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)],
                          description=_l("Street, number, postcode and place."))
    latitude = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(min=-90, max=90)],
                          description=_l("Optional, e.g. 53.2194."))
    longitude = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(min=-180, max=180)],
                           description=_l("Optional, e.g. 6.5665."))
    commissioned_on = DateField(_l("Commissioned on"), validators=[Optional()])
    value_cents = EuroField(_l("Value (euros)"), validators=[Optional()], max_cents=10**13)
    capacity_kw = DecimalField(_l("Capacity (kWp or kW)"), places=3,
                               validators=[Optional(), NumberRange(min=0.001, max=10**7)],
                               description=_l("Energy assets: peak power, e.g. 148,5."))
    ean_code = StringField(_l("EAN code of the connection"), validators=[Optional(), Length(max=24)],
                           description=_l("18 digits, e.g. 871685900000000011."))
    responsible_user_id = SelectField(_l("Responsible board member"), coerce=int, choices=[],
                                      validators=[Optional()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    unit_price_cents = EuroField(_l("Price of one participation (euros)"), validators=[Optional()],
                                 max_cents=100_000_000,
                                 description=_l("Leave empty when members cannot take part."))
    units_available = IntegerField(_l("Participations available in total"),
                                   validators=[Optional(), NumberRange(min=1, max=MAX_INT)])
    min_units_per_member = IntegerField(_l("Minimum participations per member"), default=0,
                                        validators=[Optional(), NumberRange(min=0, max=MAX_INT)])
    max_units_per_member = IntegerField(_l("Maximum participations per member"),
                                        validators=[Optional(), NumberRange(min=1, max=MAX_INT)])
    postcode_areas = StringField(_l("Postcode areas (postcoderoos)"),
                                 validators=[Optional(), Length(max=400)],
                                 description=_l("4-digit areas where participants must live, e.g. "
                                                "“9711 9712 9713”. Empty: anyone."))
    is_bookable = BooleanField(_l("Members can book it (car, room, tools)"))
    max_hours_per_month = IntegerField(_l("Fair use: hours per member per month"),
                                       validators=[Optional(), NumberRange(min=1, max=744)],
                                       description=_l("Leave empty for no limit."))
    max_open_bookings = IntegerField(_l("Fair use: open bookings per member"),
                                     validators=[Optional(), NumberRange(min=1, max=1000)],
                                     description=_l("Leave empty for no limit."))

    def values(self) -> dict:
        from coop.assets.services import ASSET_FIELDS

        data = {k: self[k].data for k in ASSET_FIELDS if k in self}
        capacity = self.capacity_kw.data
        data["capacity_watts"] = int(capacity * 1000) if capacity is not None else None
        data["responsible_user_id"] = self.responsible_user_id.data or None
        return data


class MutationForm(FlaskForm):
    kind = RadioField(_l("Kind of mutation"), default="issue", validators=[InputRequired()],
                      choices=[(k.value, PARTICIPATION_KIND_LABELS[k]) for k in ShareTransactionKind])
    member_number = IntegerField(_l("Member number"), validators=[InputRequired(), NumberRange(min=1)],
                                 description=_l("Subscription: the member who takes part. Transfer "
                                                "and redemption: the member who gives units."))
    counterparty_number = IntegerField(_l("Receiving member number (transfer only)"),
                                       validators=[Optional(), NumberRange(min=1)])
    quantity = IntegerField(_l("Number of participations"),
                            validators=[InputRequired(), NumberRange(min=1, max=MAX_INT)])
    effective_on = DateField(_l("Effective date"), default=date.today, validators=[InputRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])

    def validate_counterparty_number(self, field):
        if self.kind.data == "transfer" and field.data is None:
            raise ValueError(_l("A transfer needs the member who receives the units."))


class ReadingForm(FlaskForm):
    read_on = DateField(_l("Date of the reading"), default=date.today, validators=[InputRequired()])
    meter_kwh = IntegerField(_l("Meter reading (kWh)"),
                             validators=[InputRequired(), NumberRange(min=0, max=10**12)])
    is_meter_replacement = BooleanField(_l("A new meter was placed (the reading starts again)"))


class ReadingImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[DataRequired()],
                     description=_l("One reading per line: date (YYYY-MM-DD); meter reading in kWh; "
                                    "optionally “ja” for a meter replacement."))


class EmissionFactorForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=1990, max=2200)])
    grams_per_kwh = IntegerField(_l("Emission factor (g CO₂ per kWh)"),
                                 validators=[InputRequired(), NumberRange(min=0, max=2000)])
    source = StringField(_l("Source"), validators=[DataRequired(), Length(max=200)],
                         description=_l("For example “CBS, emissiefactor elektriciteit 2024”."))


class DistributionForm(FlaskForm):
    period_start_on = DateField(_l("First day of the period"), validators=[InputRequired()])
    period_end_on = DateField(_l("Last day of the period"), validators=[InputRequired()])
    amount_cents = EuroField(_l("Amount to distribute (euros)"), validators=[Optional()],
                             max_cents=10**12)
    price_per_kwh = DecimalField(_l("Or: price per kWh (euros)"), places=3,
                                 validators=[Optional(), NumberRange(min=0.001, max=100)],
                                 description=_l("Without an amount: the period's production × this "
                                                "price, e.g. 0,085."))
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)],
                              description=_l("Shown to the members and on the bank transfer."))


class SepaForm(FlaskForm):
    debtor_name = StringField(_l("Account holder (the cooperative)"),
                              validators=[DataRequired(), Length(max=70)])
    debtor_iban = StringField(_l("IBAN of the cooperative"), validators=[DataRequired(), Length(max=42)])
    debtor_bic = StringField(_l("BIC (optional)"), validators=[Optional(), Length(max=11)])
    execution_on = DateField(_l("Execution date"), default=date.today, validators=[InputRequired()])
    skip_invalid = BooleanField(_l("Leave out members without a valid IBAN (pay them otherwise)"))


class BookingForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired()])
    start = TimeField(_l("From"), validators=[InputRequired()])
    end_day = DateField(_l("Until date"), validators=[Optional()],
                        description=_l("Only when the booking runs past midnight."))
    end = TimeField(_l("Until"), validators=[InputRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class DwellingForm(FlaskForm):
    member_number = IntegerField(_l("Member number"), validators=[InputRequired(), NumberRange(min=1)])
    household = StringField(_l("Household"), validators=[Optional(), Length(max=200)],
                            description=_l("Who else lives there."))
    starts_on = DateField(_l("From"), default=date.today, validators=[InputRequired()])
    ends_on = DateField(_l("Until"), validators=[Optional()], description=_l("Empty: open-ended."))


class WaitingListForm(FlaskForm):
    member_number = IntegerField(_l("Member number"), validators=[InputRequired(), NumberRange(min=1)])
    registered_on = DateField(_l("Registered on"), default=date.today, validators=[InputRequired()])
    preferences = TextAreaField(_l("Preferences"), validators=[Optional(), Length(max=2000)],
                                description=_l("Size, floor, accessibility, neighbourhood …"))


class TaskForm(FlaskForm):
    title = StringField(_l("Work"), validators=[DataRequired(), Length(max=200)],
                        description=_l("For example “Inspect inverters” or “Winter tyres”."))
    due_on = DateField(_l("Due on"), validators=[Optional()],
                       description=_l("Planned work: a reminder goes to the responsible person "
                                      "two weeks ahead."))
    done_on = DateField(_l("Done on"), validators=[Optional()],
                        description=_l("For the log: work that was already done."))
    responsible_user_id = SelectField(_l("Responsible"), coerce=int, choices=[], validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])


class NextForm(FlaskForm):
    next = HiddenField()


class DocumentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)],
                        description=_l("For example “Omgevingsvergunning” or “Garantiebewijs "
                                       "omvormers”."))
    file = FileField(_l("File"), validators=[DataRequired()],
                     description=_l("PDF, PNG or JPEG, at most 10 MB."))
