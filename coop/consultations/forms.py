from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from coop.core.i18n import lazy_gettext as _l
from coop.orgs.forms import MultiCheckboxField

ANONYMOUS_HINT = _l(
    "Anonymous: who answered is stored apart from what was answered; each member gets a receipt code "
    "to check their answer in the published list after closing. Named: after closing, members see who "
    "chose what.")


class ConsultationForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    question = TextAreaField(_l("Question and explanation"), validators=[DataRequired(), Length(max=20000)],
                             description=_l("What you ask the members, and what each option would mean."))
    options = TextAreaField(_l("Options"), validators=[DataRequired(), Length(max=5000)],
                            description=_l("One per line, at least two."))
    is_multiple_choice = BooleanField(_l("Members may tick more than one option"))
    is_anonymous = BooleanField(_l("Anonymous (with receipt)"), default=True, description=ANONYMOUS_HINT)
    opens_at = DateTimeLocalField(_l("Opens at (Dutch time)"), format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Closes at (Dutch time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    pass


def answer_form(consultation):
    """One question: a radio group, or check boxes for multiple choice."""

    class AnswerForm(FlaskForm):
        pass

    choices = [(o, o) for o in consultation.options]
    if consultation.is_multiple_choice:
        AnswerForm.choice = MultiCheckboxField(_l("Your answer"), choices=choices,
                                               validators=[DataRequired(_l("Tick at least one option."))])
    else:
        AnswerForm.choice = RadioField(_l("Your answer"), choices=choices,
                                       validators=[DataRequired(_l("Choose one."))])
    return AnswerForm()
