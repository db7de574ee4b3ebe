"""Forms of the member's own pages (/me/…) and of the board's erasure page."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from coop.core.i18n import lazy_gettext as _l
from coop.members import rules

#: The same words as on the join form, so that members consent to the same thing.
EMAIL_CONSENT_TEXT = _l("Send me the cooperative's mail (such as convocations) by e-mail instead of by post.")


def valid_postcode(form, field):
    if field.data and field.data.strip() and not rules.is_postcode(field.data):
        raise ValidationError(_l("A Dutch postcode has four digits and two letters, e.g. 1234 AB."))


def valid_email(form, field):
    from email_validator import EmailNotValidError, validate_email

    if field.data and field.data.strip():
        try:
            validate_email(field.data.strip(), check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(_l("This is not a valid e-mail address.")) from None


def valid_iban(form, field):
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    if field.data and field.data.strip():
        try:
            IBAN(field.data)
        except (SchwiftyException, ValueError):
            raise ValidationError(_l("This is not a valid IBAN.")) from None


class ContactDetailsForm(FlaskForm):
    """What a member may change themselves. The form reports every invalid field at once; the
    service (``services.clean_member_data``) checks and normalises them again."""

    street = StringField(_l("Street"), validators=[Optional(), Length(max=120)],
                         render_kw={"autocomplete": "address-line1"})
    house_number = StringField(_l("House number"), validators=[Optional(), Length(max=20)])
    postcode = StringField(_l("Postcode"), description=_l("Four digits and two letters, e.g. 1234 AB."),
                           validators=[Optional(), Length(max=10), valid_postcode],
                           render_kw={"autocomplete": "postal-code"})
    city = StringField(_l("City"), validators=[Optional(), Length(max=80)],
                       render_kw={"autocomplete": "address-level2"})
    email = EmailField(_l("E-mail address"), validators=[Optional(), Length(max=254), valid_email],
                       render_kw={"autocomplete": "email"})
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)], render_kw={"autocomplete": "tel"})
    iban = StringField(_l("IBAN"), description=_l("For paying back capital and paying out revenue."),
                       validators=[Optional(), Length(max=40), valid_iban])
    email_consent = BooleanField(EMAIL_CONSENT_TEXT, description=_l(
        "Without this, the cooperative sends its mail by post. You can change this at any time."))


class NoticeRequestForm(FlaskForm):
    confirm = BooleanField(_l("I want to end my membership"), validators=[
        DataRequired(message=_l("Tick the box to confirm that you want to end your membership."))])


class ErasureRequestForm(FlaskForm):
    confirm = BooleanField(_l("I ask the cooperative to erase my personal data"), validators=[
        DataRequired(message=_l("Tick the box to confirm your request."))])


class EraseMemberForm(FlaskForm):
    member_id = HiddenField(validators=[DataRequired()])
    confirm = BooleanField(_l("Yes, erase this person's personal data. This cannot be undone."),
                           validators=[DataRequired(message=_l("Tick the box to confirm the erasure."))])


class StatementYearForm(FlaskForm):
    """Choose the year of a capital statement (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), description=_l("The statement shows your capital on 31 December of that year."),
                        validators=[DataRequired(), NumberRange(min=1900, max=9999)])
