from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from coop.core.i18n import lazy_gettext as _l
from coop.members.models import CHANNEL_LABELS, Channel
from coop.orgs.forms import MultiCheckboxField

POSTCODE_HINT = _l("Four digits and two letters, e.g. 1234 AB.")


def _text(label, required=False, max_length=120, **kw):
    return StringField(label, validators=[DataRequired() if required else Optional(), Length(max=max_length)], **kw)


class PersonForm(FlaskForm):
    """Name, address and contact fields, shared by the board's member form and the join form."""

    first_name = _text(_l("First name"), True, 80, render_kw={"autocomplete": "given-name"})
    name_prefix = _text(_l("Prefix"), False, 20, description=_l('For example "van der".'))
    last_name = _text(_l("Last name"), True, 120, render_kw={"autocomplete": "family-name"})
    street = _text(_l("Street"), render_kw={"autocomplete": "address-line1"})
    house_number = _text(_l("House number"), max_length=20)
    postcode = _text(_l("Postcode"), max_length=10, description=POSTCODE_HINT,
                     render_kw={"autocomplete": "postal-code"})
    city = _text(_l("City"), max_length=80, render_kw={"autocomplete": "address-level2"})
    email = EmailField(_l("E-mail address"), validators=[Optional(), Length(max=254)],
                       render_kw={"autocomplete": "email"})


def _phone():
    return _text(_l("Phone"), max_length=30, render_kw={"autocomplete": "tel"})


def _born_on():
    return DateField(_l("Date of birth"), validators=[Optional()])


class MemberForm(PersonForm):
    phone = _phone()
    born_on = _born_on()
    iban = _text(_l("IBAN"), max_length=40, description=_l("For paying back capital and paying out revenue."))
    email_consent = BooleanField(_l("The member agrees to receive mail by e-mail"))
    channel = SelectField(_l("Send mail by"), choices=[(c.value, CHANNEL_LABELS[c]) for c in Channel],
                          default=Channel.LETTER.value,
                          description=_l("E-mail only with the member's consent."))
    category_id = SelectField(_l("Category"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                              validators=[Optional()])
    domains = MultiCheckboxField(_l("Takes part in"), description=_l("For cooperatives with more than one domain."))
    household = _text(_l("Household"), description=_l("Housing cooperatives: the household this member belongs to."))
    notes = TextAreaField(_l("Notes for the board"), validators=[Optional(), Length(max=5000)])
    confirm_duplicate = HiddenField()


class JoinForm(PersonForm):
    # An applicant gives a full address and an e-mail address for the confirmation.
    street = _text(_l("Street"), True, render_kw={"autocomplete": "address-line1"})
    house_number = _text(_l("House number"), True, 20)
    postcode = _text(_l("Postcode"), True, 10, description=POSTCODE_HINT, render_kw={"autocomplete": "postal-code"})
    city = _text(_l("City"), True, 80, render_kw={"autocomplete": "address-level2"})
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    phone = _phone()
    born_on = _born_on()
    privacy_consent = BooleanField(
        _l("I have read the privacy statement: the cooperative keeps my data to administer my membership and shares it with no one else."),
        validators=[DataRequired(message=_l("You can only apply when you agree to the privacy statement."))])
    email_consent = BooleanField(_l("Send me the cooperative's mail (such as convocations) by e-mail instead of by post."))


class ApplicationsForm(FlaskForm):
    reason = TextAreaField(_l("Reason (for a refusal)"), validators=[Optional(), Length(max=2000)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reasons"), validators=[Optional(), Length(max=5000)])


class DateForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])


class AppealDecisionForm(FlaskForm):
    decision = SelectField(_l("Decision of the general meeting"),
                           choices=[("upheld", _l("Appeal upheld: the member is reinstated")),
                                    ("rejected", _l("Appeal rejected: the expulsion is final"))])
    reason = TextAreaField(_l("Reasons"), validators=[Optional(), Length(max=5000)])
