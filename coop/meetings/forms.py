from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, DateTimeLocalField, HiddenField, IntegerField, RadioField,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, URL

from coop.core.i18n import lazy_gettext as _l
from coop.meetings.models import ITEM_KIND_LABELS, KIND_LABELS, RSVP_LABELS, ItemKind, MeetingKind, Rsvp

ANNOUNCEMENT_HINT = _l("Only after convocation: the agenda is frozen, so every change is announced to the "
                       "members with this text.")


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind of meeting"), choices=[(k.value, KIND_LABELS[k]) for k in MeetingKind])
    first_meeting_id = SelectField(_l("First meeting (for a second meeting)"), coerce=int,
                                   validators=[Optional()])
    starts_at = DateTimeLocalField(_l("Starts at (Dutch time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired()])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=120,
                                    validators=[DataRequired(), NumberRange(min=15, max=24 * 60)])
    place = StringField(_l("Place"), description=_l("Address of the room. Leave empty for an online meeting."),
                        validators=[Optional(), Length(max=300)])
    online_url = StringField(_l("Online link"), description=_l("Leave empty for a meeting in the room only."),
                             validators=[Optional(), URL(require_tld=False), Length(max=500)])
    record_on = DateField(_l("Record date"), description=_l(
        "Who may vote is decided by the register on this day."), validators=[DataRequired()])


class ItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])
    kind = SelectField(_l("Kind"), choices=[(k.value, ITEM_KIND_LABELS[k]) for k in ItemKind],
                       default=ItemKind.DISCUSSION.value)
    is_statute_amendment = BooleanField(_l("This item amends the statutes"),
                                        description=_l("Needs the longer notice period and the proposed text."))
    announcement = TextAreaField(_l("Announcement to the members"), description=ANNOUNCEMENT_HINT,
                                 validators=[Optional(), Length(max=5000)])


class AnnouncementForm(FlaskForm):
    announcement = TextAreaField(_l("Announcement to the members"), description=ANNOUNCEMENT_HINT,
                                 validators=[Optional(), Length(max=5000)])


class DocumentForm(FlaskForm):
    file = FileField(_l("Document (PDF, ODT, DOCX or XLSX, at most 20 MB)"), validators=[FileRequired()])
    announcement = TextAreaField(_l("Announcement to the members"), description=ANNOUNCEMENT_HINT,
                                 validators=[Optional(), Length(max=5000)])


class ConfirmForm(FlaskForm):
    pass


class CheckInSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name, membership number, postcode or QR code"), validators=[Optional(), Length(max=100)])


class MemberPickForm(FlaskForm):
    member_id = HiddenField(validators=[DataRequired()])


class PaperProxyForm(FlaskForm):
    grantor_number = IntegerField(_l("Membership number of the member who gives the proxy"),
                                  validators=[DataRequired()])
    holder_number = IntegerField(_l("Membership number of the proxy holder"), validators=[DataRequired()])
    file = FileField(_l("Scan of the signed form (PDF, PNG or JPEG)"), validators=[FileRequired()])


class GiveProxyForm(FlaskForm):
    holder_number = IntegerField(_l("Membership number of the member who will vote for you"),
                                 validators=[DataRequired()])


class RsvpForm(FlaskForm):
    answer = RadioField(_l("Will you take part?"), choices=[(r.value, RSVP_LABELS[r]) for r in Rsvp],
                        validators=[DataRequired()])


class QuestionForm(FlaskForm):
    question = TextAreaField(_l("Your question"), validators=[DataRequired(), Length(max=5000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=10000)])


class ProposalForm(FlaskForm):
    title = StringField(_l("Title of the item"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(_l("Proposal"), validators=[DataRequired(), Length(max=20000)])
    kind = SelectField(_l("Kind"), choices=[(ItemKind.DECISION.value, ITEM_KIND_LABELS[ItemKind.DECISION]),
                                            (ItemKind.DISCUSSION.value, ITEM_KIND_LABELS[ItemKind.DISCUSSION])])


class CurrentItemForm(FlaskForm):
    position = IntegerField(validators=[DataRequired()])
