"""Forms of the liaison pages (both sides)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from coop.core.i18n import lazy_gettext as _l
from coop.liaison.attachments import MAX_ATTACHMENT_BYTES
from coop.liaison.deadlines import TermUnit
from coop.liaison.models import COMMITMENT_LABELS, OUTCOME_LABELS, UNIT_LABELS
from coop.liaison.services import BODY_MAX, SUBJECT_MAX, TEXT_MAX

FILE_HINT = _l("PDF, PNG, JPEG, Word, Excel or OpenDocument; at most %(mb)d MB.",
               mb=MAX_ATTACHMENT_BYTES // (1024 * 1024))


class RequestForm(FlaskForm):
    request_type = SelectField(_l("Kind of request"), coerce=int, validators=[InputRequired()])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=SUBJECT_MAX)])
    body = TextAreaField(_l("Request"), validators=[DataRequired(), Length(max=BODY_MAX)],
                         description=_l("What you ask the municipality, and why. The municipality "
                                        "sees exactly this text."),
                         render_kw={"rows": 12})
    location = StringField(_l("Location"), validators=[Optional(), Length(max=200)],
                           description=_l("Address or plot, when the request concerns a place "
                                          "(required for permits)."))
    resolution = SelectField(_l("Based on a resolution of the general meeting"), coerce=int, default=0,
                             description=_l("The municipality sees the resolution's number and text."))
    consultation = SelectField(_l("Based on a consultation of the members"), coerce=int, default=0,
                               description=_l("Only closed consultations; the municipality sees the question, "
                                              "the result and the turnout."))


class AttachmentForm(FlaskForm):
    file = FileField(_l("Document"), description=FILE_HINT)


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=BODY_MAX)],
                         render_kw={"rows": 5})


class InformationForm(FlaskForm):
    information = TextAreaField(_l("The requested information"), validators=[DataRequired(), Length(max=BODY_MAX)],
                         description=_l("Sending this lets the term run again."), render_kw={"rows": 6})


class TextForm(FlaskForm):
    text = TextAreaField(_l("Explanation (optional)"), validators=[Optional(), Length(max=TEXT_MAX)],
                         render_kw={"rows": 3})


class QuestionForm(FlaskForm):
    question = TextAreaField(_l("What information is missing?"), validators=[DataRequired(), Length(max=TEXT_MAX)],
                         description=_l("The term is suspended until the cooperative answers."),
                         render_kw={"rows": 4})


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=TEXT_MAX)], render_kw={"rows": 3})


class ExtendForm(FlaskForm):
    amount = IntegerField(_l("Extension"), validators=[InputRequired(), NumberRange(min=1, max=52)],
                          description=_l("In the unit of the term (days, weeks or working days)."))
    grounds = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=TEXT_MAX)],
                            description=_l("Sent to the cooperative in writing, as the law requires."),
                           render_kw={"rows": 3})


class DecideForm(FlaskForm):
    outcome = RadioField(_l("Decision"), choices=[(o.value, label) for o, label in OUTCOME_LABELS.items()],
                         validators=[InputRequired()])
    answer = TextAreaField(_l("Official answer"), validators=[DataRequired(), Length(max=BODY_MAX)],
                           description=_l("Required with every decision; shown to the cooperative."),
                           render_kw={"rows": 8})
    document = FileField(_l("Decision document (optional)"), description=FILE_HINT)


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Handled by"), coerce=int, validators=[InputRequired()])


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Internal note"), validators=[DataRequired(), Length(max=TEXT_MAX)],
                         description=_l("Only colleagues of the municipality see this."), render_kw={"rows": 3})


class CommitmentForm(FlaskForm):
    what = TextAreaField(_l("What is promised"), validators=[DataRequired(), Length(max=TEXT_MAX)],
                         render_kw={"rows": 3})
    who = StringField(_l("Who carries it out"), validators=[DataRequired(), Length(max=200)])
    due_on = DateField(_l("By when"), validators=[InputRequired()])


class CommitmentStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[(s.value, label) for s, label in COMMITMENT_LABELS.items()])
    progress = IntegerField(_l("Progress (%)"), validators=[InputRequired(), NumberRange(min=0, max=100)])


class TypeForm(FlaskForm):
    legal_basis = StringField(_l("Legal basis"), validators=[DataRequired(), Length(max=200)])
    term_amount = IntegerField(_l("Term"), validators=[InputRequired(), NumberRange(min=1, max=365)])
    term_unit = SelectField(_l("Unit"), choices=[(u.value, label) for u, label in UNIT_LABELS.items()])
    is_legal_term = BooleanField(_l("Legal term"), description=_l(
        "A term set by law: the Algemene termijnenwet applies. Otherwise a service norm of the municipality."))
    max_extensions = IntegerField(_l("Extensions allowed"), validators=[InputRequired(), NumberRange(min=0, max=3)])
    max_extension_amount = IntegerField(_l("Longest extension"), validators=[InputRequired(), NumberRange(min=0, max=52)],
                                        description=_l("In the unit of the term."))
    has_suspension = BooleanField(_l("Asking for information suspends the term"))
    has_penalty = BooleanField(_l("Penalty for late decisions (Awb 4:17)"))
    needs_location = BooleanField(_l("A location is required"))
    needs_attachment = BooleanField(_l("An attachment is required"))
    attachment_hint = StringField(_l("Which attachments"), validators=[Optional(), Length(max=300)])
    is_active = BooleanField(_l("Accepted at the moment"))

    def values(self) -> dict:
        data = {f.name: f.data for f in self if f.name != "csrf_token"}
        data["term_unit"] = TermUnit(data["term_unit"])
        data["attachment_hint"] = (data["attachment_hint"] or "").strip() or None
        return data
