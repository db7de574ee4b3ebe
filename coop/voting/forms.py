from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, Field, IntegerField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation

from coop.core.i18n import lazy_gettext as _l
from coop.orgs.forms import MultiCheckboxField
from coop.voting.models import MOTION_KIND_LABELS, VOTE_KIND_LABELS, MotionKind, VoteKind

RECEIPTS_HINT = _l(
    "After closing, every member sees the list of secret ballots by receipt, so each voter can check "
    "that their ballot was counted as cast. The price: a voter can show their receipt to someone else "
    "and so prove how they voted (which makes buying or forcing votes possible). Switch it off when that "
    "risk weighs more; the recount stays available.")


class MotionForm(FlaskForm):
    item_id = SelectField(_l("Agenda item"), coerce=int)
    amends_id = SelectField(_l("Amendment of"), coerce=int, description=_l(
        "An amendment is voted on before the motion it changes."))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(_l("Text of the motion"), validators=[DataRequired(), Length(max=20000)])
    kind = SelectField(_l("Kind"), choices=[(k.value, MOTION_KIND_LABELS[k]) for k in MotionKind],
                       description=_l("The majority and quorum follow from the statutes for the kind."))
    majority_num = IntegerField(_l("Other majority: numerator"), validators=[Optional(), NumberRange(min=1, max=100)])
    majority_den = IntegerField(_l("Other majority: denominator"), validators=[Optional(), NumberRange(min=1, max=100)])
    is_majority_at_least = BooleanField(_l("At least this share (instead of more than)"))
    quorum_num = IntegerField(_l("Other quorum: numerator"), validators=[Optional(), NumberRange(min=0, max=100)])
    quorum_den = IntegerField(_l("Other quorum: denominator"), validators=[Optional(), NumberRange(min=1, max=100)])
    override_reason = TextAreaField(_l("Reason for another majority"), description=_l(
        "Required for “other majority”: the article of the statutes or the decision that sets it."),
        validators=[Optional(), Length(max=5000)])


class OpenMotionVoteForm(FlaskForm):
    is_secret = BooleanField(_l("Secret ballot"))
    publishes_receipts = BooleanField(_l("Publish the receipts after closing"), default=True,
                                      description=RECEIPTS_HINT)


class OpenVoteForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[(k.value, VOTE_KIND_LABELS[k]) for k in VoteKind if k != VoteKind.MOTION])
    options = TextAreaField(_l("Candidates or options"), description=_l("One per line."),
                            validators=[DataRequired(), Length(max=5000)])
    seats = IntegerField(_l("Seats (elections of several people)"), default=1,
                         validators=[Optional(), NumberRange(min=1, max=50)])
    is_secret = BooleanField(_l("Secret ballot"), default=True)
    publishes_receipts = BooleanField(_l("Publish the receipts after closing"), default=True,
                                      description=RECEIPTS_HINT)
    opens_at = DateTimeLocalField(_l("Opens at (Dutch time; before the meeting only)"), format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])


class PaperBallotForm(FlaskForm):
    number = IntegerField(_l("Membership number"), validators=[DataRequired()])
    choice = SelectField(_l("Choice on the paper"))


class RerunForm(FlaskForm):
    reason = TextAreaField(_l("Why is the vote held again?"), validators=[DataRequired(), Length(max=5000)])


class ConfirmForm(FlaskForm):
    pass


class ReceiptCheckForm(FlaskForm):
    """Check a receipt code against the published list. Sent by POST, so that the code stays
    out of URLs (access logs, browser history), where it could tie a member to a choice."""
    receipt = StringField(_l("Receipt code"), validators=[DataRequired(), Length(max=20)])


def checked_receipt(receipts, form: ReceiptCheckForm):
    """(the choice counted for the code sent, False when no ballot has it; None when nothing was
    sent) — ``receipts``: (receipt hash, choice) pairs as published."""
    from coop.voting.rules import receipt_hash

    if not form.validate_on_submit():
        return None
    digest = receipt_hash(form.receipt.data.strip().upper())
    return next((c for h, c in receipts if h == digest), False)


class RankingField(Field):
    """A ranked ballot without JavaScript: one number select per candidate (1 for the first
    choice) and a "blank ballot" tick. ``data``: the ranking (names, best first), ``"blank"``, or
    None when refused. Rendered by ``templates/voting/me/_ranking.html``."""

    def __init__(self, label=None, validators=None, candidates=(), **kwargs):
        super().__init__(label, validators, **kwargs)
        self.candidates = list(candidates)
        self.ranks: dict[str, str] = {}
        self.blank = False

    def rank_options(self) -> list[tuple[str, str]]:
        return [("", str(_l("not ranked")))] + [(str(n), str(n)) for n in range(1, len(self.candidates) + 1)]

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors, self.data, self.ranks, self.blank = [], None, {}, False
        if formdata is None:
            return
        self.ranks = {c: (formdata.get(f"{self.name}-{i}") or "").strip() for i, c in enumerate(self.candidates)}
        self.blank = bool(formdata.get(f"{self.name}-blank"))
        self.raw_data = [*self.ranks.values(), "blank" if self.blank else ""]
        options = {v for v, _t in self.rank_options()}
        if any(v not in options for v in self.ranks.values()):
            self.process_errors.append(_l("That is not a rank on this ballot."))
            return
        numbers = {c: int(v) for c, v in self.ranks.items() if v}
        if self.blank and numbers:
            self.process_errors.append(_l("Either rank candidates or cast a blank ballot, not both."))
        elif self.blank:
            self.data = "blank"
        elif sorted(numbers.values()) != list(range(1, len(numbers) + 1)):
            self.process_errors.append(_l("Use each number once, from 1 upwards without gaps (1, 2, 3 …)."))
        elif numbers:
            self.data = sorted(numbers, key=numbers.get)

    def pre_validate(self, form):
        if self.data is None and not self.process_errors:
            raise StopValidation(_l("Rank at least one candidate (1 for your first choice), "
                                    "or tick “blank ballot”."))


def ballot_form(vote, entries, labels: dict, names: dict):
    """A form with one question per roll entry the voter may cast (own and represented)."""
    from coop.voting.models import VoteKind as K

    class BallotForm(FlaskForm):
        pass

    choices = list(labels.items())
    for e in entries:
        label = names[e.member_id]
        if vote.kind == K.APPROVAL:
            field = MultiCheckboxField(label, choices=choices, description=_l(
                "Tick up to %(n)d names. Each name you tick gets one vote from you.", n=vote.seats))
        elif vote.kind == K.STV:
            field = RankingField(label, candidates=vote.options)
        else:
            field = RadioField(label, choices=choices, validators=[DataRequired(_l("Choose one."))])
        setattr(BallotForm, f"m{e.member_id}", field)
    return BallotForm()


def paper_totals_form(vote, labels: dict):
    class PaperTotalsForm(FlaskForm):
        handed_out = IntegerField(_l("Ballot papers handed out"), validators=[DataRequired(), NumberRange(min=0)])

    for n, (value, label) in enumerate(labels.items()):
        setattr(PaperTotalsForm, f"c{n}", IntegerField(label, default=0, validators=[Optional(), NumberRange(min=0)]))
    return PaperTotalsForm()
