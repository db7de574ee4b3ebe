from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from coop.members.models import CHANNEL_LABELS, Channel

POSTCODE_HINT = _l("Four digits and two letters, e.g. 1234 AB.")


class MemberForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=80)],
                             render_kw={"autocomplete": "given-name"})
    name_prefix = StringField(_l("Prefix"), description=_l('For example "van der".'),
                              validators=[Optional(), Length(max=20)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=120)],
                            render_kw={"autocomplete": "family-name"})
    street = StringField(_l("Street"), validators=[Optional(), Length(max=120)],
                         render_kw={"autocomplete": "address-line1"})
    house_number = StringField(_l("House number"), validators=[Optional(), Length(max=20)])
    postcode = StringField(_l("Postcode"), description=POSTCODE_HINT, validators=[Optional(), Length(max=10)],
                           render_kw={"autocomplete": "postal-code"})
    city = StringField(_l("City"), validators=[Optional(), Length(max=80)],
                       render_kw={"autocomplete": "address-level2"})
    email = EmailField(_l("E-mail address"), validators=[Optional(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)], render_kw={"autocomplete": "tel"})
    born_on = DateField(_l("Date of birth"), validators=[Optional()])
    iban = StringField(_l("IBAN"), description=_l("For paying back capital and paying out revenue."),
                       validators=[Optional(), Length(max=40)])
    email_consent = BooleanField(_l("The member agrees to receive mail by e-mail"))
    channel = SelectField(_l("Send mail by"), choices=[(c.value, CHANNEL_LABELS[c]) for c in Channel],
                          default=Channel.LETTER.value,
                          description=_l("E-mail only with the member's consent."))
    category_id = SelectField(_l("Category"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                              validators=[Optional()])
    household = StringField(_l("Household"), description=_l("Housing cooperatives: the household this member belongs to."),
                            validators=[Optional(), Length(max=120)])
    notes = TextAreaField(_l("Notes for the board"), validators=[Optional(), Length(max=5000)])
    confirm_duplicate = HiddenField()


class JoinForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=80)],
                             render_kw={"autocomplete": "given-name"})
    name_prefix = StringField(_l("Prefix"), description=_l('For example "van der".'),
                              validators=[Optional(), Length(max=20)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=120)],
                            render_kw={"autocomplete": "family-name"})
    street = StringField(_l("Street"), validators=[DataRequired(), Length(max=120)],
                         render_kw={"autocomplete": "address-line1"})
    house_number = StringField(_l("House number"), validators=[DataRequired(), Length(max=20)])
    postcode = StringField(_l("Postcode"), description=POSTCODE_HINT, validators=[DataRequired(), Length(max=10)],
                           render_kw={"autocomplete": "postal-code"})
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=80)],
                       render_kw={"autocomplete": "address-level2"})
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)], render_kw={"autocomplete": "tel"})
    born_on = DateField(_l("Date of birth"), validators=[Optional()])
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
