"""The board's pages of voting (motions, opening and closing votes, paper ballots, results,
CSV) and the resolutions register (board and members)."""
from __future__ import annotations

import json

from flask import Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coop.core import nav
from coop.core.csvsafe import write_csv
from coop.core.db import scoped
from coop.core.errors import DomainError
from coop.core.formatting import template_constants
from coop.core.forms import attempt
from coop.core.i18n import lazy_gettext as _l
from coop.core.permissions import require
from coop.extensions import db
from coop.meetings.models import GeneralMeeting, ItemKind, Resolution
from coop.members.models import Member
from coop.voting import bp, services
from coop.voting.forms import (ConfirmForm, MotionForm, OpenMotionVoteForm, OpenVoteForm, PaperBallotForm,
                               RerunForm, paper_totals_form)
from coop.voting.models import (CHANNEL_LABELS, MOTION_KIND_LABELS, MOTION_STATUS_LABELS, MULTI_SEAT,
                                VOTE_KIND_LABELS, Motion, MotionKind, MotionStatus, Vote, VoteKind)

nav.add("coop", "voting.resolutions", _l("Resolutions"), "member", order=16, also=("voting.resolutions",))

CHOICE_LABELS = {"for": _l("For"), "against": _l("Against"), "abstain": _l("Abstain"), "blank": _l("Blank")}


#: How a round of a single-transferable-vote count chose its candidates (rules.STV_*).
STV_METHOD_LABELS = {"quota": _l("reached the quota"), "fewest": _l("fewest votes"),
                     "history": _l("tie broken by the earlier rounds"), "lot": _l("tie broken by lot"),
                     "no_competition": _l("as many seats left as candidates")}


def item_motions(item) -> list[Motion]:
    """The motions of an agenda item with their votes (for the minutes)."""
    return list(db.session.scalars(select(Motion).where(Motion.item_id == item.id).order_by(Motion.id)))


def meeting_elections(meeting) -> list[Vote]:
    """Closed votes of a meeting that are not about a motion (elections, polls)."""
    return list(db.session.scalars(select(Vote).where(Vote.meeting_id == meeting.id, Vote.motion_id.is_(None),
                                                      Vote.result_json.is_not(None)).order_by(Vote.id)))


def choice_labels(vote: Vote) -> dict:
    if vote.kind == VoteKind.MOTION:
        return {k: CHOICE_LABELS[k] for k in ("for", "against", "abstain")}
    opts = {o: o for o in vote.options}
    return opts if vote.kind == VoteKind.APPROVAL else opts | {"blank": CHOICE_LABELS["blank"]}


def choice_text(vote: Vote, choice: str) -> str:
    """A stored choice as people read it: "Anna, Bert" (approval), "1. Anna 2. Bert" (ranked),
    "Blank", or the label of the choice."""
    if vote.kind in MULTI_SEAT:
        names = json.loads(choice)
        if not names:
            return str(CHOICE_LABELS["blank"])
        if vote.kind == VoteKind.STV:
            return " ".join(f"{n}. {name}" for n, name in enumerate(names, 1))
        return ", ".join(names)
    return str(choice_labels(vote).get(choice, choice))


def _meeting(meeting_id: int) -> GeneralMeeting:
    return scoped(GeneralMeeting, meeting_id)


def _vote(vote_id: int) -> Vote:
    return scoped(Vote, vote_id)


def _motion(meeting: GeneralMeeting, motion_id: int) -> Motion:
    motion = scoped(Motion, motion_id)
    if motion.meeting_id != meeting.id:
        abort(404)
    return motion


def _motion_form(meeting: GeneralMeeting) -> MotionForm:
    form = MotionForm(prefix="motion")
    form.item_id.choices = [(i.id, f"{i.position}. {i.title}") for i in meeting.items if i.kind == ItemKind.DECISION]
    proposed = db.session.scalars(select(Motion).where(Motion.meeting_id == meeting.id, Motion.amends_id.is_(None),
                                                       Motion.status == MotionStatus.PROPOSED)).all()
    form.amends_id.choices = [(0, _("— none (a motion of its own) —"))] + [(m.id, m.title) for m in proposed]
    return form


def _meeting_page(meeting, motion_form=None, vote_form=None, status=200):
    motions = db.session.scalars(select(Motion).where(Motion.meeting_id == meeting.id).order_by(Motion.id)).all()
    votes = db.session.scalars(select(Vote).where(Vote.meeting_id == meeting.id).order_by(Vote.id)).all()
    return render_template("voting/meeting.html", meeting=meeting, motions=motions, votes=votes,
                           motion_form=motion_form or _motion_form(meeting),
                           vote_form=vote_form or OpenVoteForm(prefix="vote"),
                           open_form=OpenMotionVoteForm(), confirm=ConfirmForm()), status


@bp.route("/c/<coop>/meetings/<int:meeting_id>/voting")
@require("board")
def meeting_votes(meeting_id: int):
    return _meeting_page(_meeting(meeting_id))


@bp.route("/c/<coop>/meetings/<int:meeting_id>/motions", methods=["POST"])
@require("board")
def create_motion(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = _motion_form(meeting)
    if form.validate_on_submit():
        item = next(i for i in meeting.items if i.id == form.item_id.data)
        amends = _motion(meeting, form.amends_id.data) if form.amends_id.data else None
        data = {k: getattr(form, k).data for k in ("title", "text", "kind", "override_reason")}
        if form.kind.data == MotionKind.CUSTOM.value:
            data |= {k: getattr(form, k).data for k in ("majority_num", "majority_den", "is_majority_at_least",
                                                         "quorum_num", "quorum_den")}
        if attempt(form, lambda: services.create_motion(item, data, actor=current_user, amends=amends)):
            flash(_("The motion has been added."), "success")
            return redirect(url_for("voting.meeting_votes", meeting_id=meeting.id))
    return _meeting_page(meeting, motion_form=form, status=400)


def _act(action, success: str, target: str):
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(target)
    db.session.commit()
    flash(success, "success")
    if isinstance(result, Vote):
        return redirect(url_for("voting.show_vote", vote_id=result.id))
    return redirect(target)


@bp.route("/c/<coop>/meetings/<int:meeting_id>/motions/<int:motion_id>/withdraw", methods=["POST"])
@require("board")
def withdraw_motion(meeting_id: int, motion_id: int):
    meeting = _meeting(meeting_id)
    motion = _motion(meeting, motion_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _act(lambda: services.withdraw_motion(motion, actor=current_user), _("The motion has been withdrawn."),
                url_for("voting.meeting_votes", meeting_id=meeting.id))


@bp.route("/c/<coop>/meetings/<int:meeting_id>/motions/<int:motion_id>/vote", methods=["POST"])
@require("board")
def open_motion_vote(meeting_id: int, motion_id: int):
    meeting = _meeting(meeting_id)
    motion = _motion(meeting, motion_id)
    form = OpenMotionVoteForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(lambda: services.open_vote(meeting, actor=current_user, title=motion.title, motion=motion,
                                           is_secret=form.is_secret.data,
                                           publishes_receipts=form.publishes_receipts.data),
                _("The vote is open."), url_for("voting.meeting_votes", meeting_id=meeting.id))


@bp.route("/c/<coop>/meetings/<int:meeting_id>/votes", methods=["POST"])
@require("board")
def open_vote(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = OpenVoteForm(prefix="vote")
    if form.validate_on_submit():
        from coop.meetings.services import to_utc
        created = {}

        def action():
            created["vote"] = services.open_vote(
                meeting, actor=current_user, title=form.title.data, kind=VoteKind(form.kind.data),
                options=form.options.data.splitlines(), seats=form.seats.data or 1, is_secret=form.is_secret.data,
                publishes_receipts=form.publishes_receipts.data,
                opens_at=to_utc(form.opens_at.data) if form.opens_at.data else None)

        if attempt(form, action):
            flash(_("The vote is open."), "success")
            return redirect(url_for("voting.show_vote", vote_id=created["vote"].id))
    return _meeting_page(meeting, vote_form=form, status=400)


# --- one vote -----------------------------------------------------------------------------------


def _vote_page(vote: Vote, paper_form=None, totals_form=None, rerun_form=None, status=200):
    labels = choice_labels(vote)
    if paper_form is None:
        paper_form = PaperBallotForm(prefix="paper")
    paper_form.choice.choices = [(k, v) for k, v in labels.items() if vote.kind not in MULTI_SEAT]
    live = services.turnout(vote)
    roll = db.session.scalar(select(db.func.count()).select_from(services.RollEntry).where(
        services.RollEntry.vote_id == vote.id))
    return render_template("voting/vote.html", vote=vote, labels=labels, live=live, roll=roll,
                           paper_form=paper_form, totals_form=totals_form or paper_totals_form(vote, labels),
                           rerun_form=rerun_form or RerunForm(prefix="rerun"), confirm=ConfirmForm(),
                           roll_call=services.roll_call(vote) if not vote.is_open else [],
                           receipts=services.receipts_list(vote)), status


@bp.route("/c/<coop>/votes/<int:vote_id>")
@require("board")
def show_vote(vote_id: int):
    return _vote_page(_vote(vote_id))


@bp.route("/c/<coop>/votes/<int:vote_id>/close", methods=["POST"])
@require("board")
def close_vote(vote_id: int):
    vote = _vote(vote_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _act(lambda: services.close_vote(vote, actor=current_user) and None,
                _("The vote is closed and its result frozen."), url_for("voting.show_vote", vote_id=vote.id))


@bp.route("/c/<coop>/votes/<int:vote_id>/runoff", methods=["POST"])
@require("board")
def open_runoff(vote_id: int):
    vote = _vote(vote_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _act(lambda: services.open_runoff(vote, actor=current_user), _("The run-off is open."),
                url_for("voting.show_vote", vote_id=vote.id))


@bp.route("/c/<coop>/votes/<int:vote_id>/rerun", methods=["POST"])
@require("board")
def rerun_vote(vote_id: int):
    vote = _vote(vote_id)
    form = RerunForm(prefix="rerun")
    if form.validate_on_submit():
        created = {}

        def action():
            created["vote"] = services.rerun_vote(vote, actor=current_user, reason=form.reason.data)

        if attempt(form, action):
            flash(_("The vote is held again as a new vote."), "success")
            return redirect(url_for("voting.show_vote", vote_id=created["vote"].id))
    return _vote_page(vote, rerun_form=form, status=400)


@bp.route("/c/<coop>/votes/<int:vote_id>/paper", methods=["POST"])
@require("board")
def record_paper(vote_id: int):
    vote = _vote(vote_id)
    form = PaperBallotForm(prefix="paper")
    form.choice.choices = list(choice_labels(vote).items())
    if form.validate_on_submit():
        member = db.session.scalar(select(Member).where(Member.cooperative_id == g.coop.id,
                                                        Member.number == form.number.data))
        if member is None:
            form.number.errors = [_("No member has this number.")]
        elif attempt(form, lambda: services.record_paper_ballots(vote, {member.id: form.choice.data},
                                                                 actor=current_user)):
            flash(_("The paper ballot of %(name)s has been entered.", name=member.full_name), "success")
            return redirect(url_for("voting.show_vote", vote_id=vote.id) + "#paper")
    return _vote_page(vote, paper_form=form, status=400)


@bp.route("/c/<coop>/votes/<int:vote_id>/paper-totals", methods=["POST"])
@require("board")
def record_paper_totals(vote_id: int):
    vote = _vote(vote_id)
    labels = choice_labels(vote)
    form = paper_totals_form(vote, labels)
    if form.validate_on_submit():
        totals = {value: getattr(form, f"c{n}").data or 0 for n, value in enumerate(labels)}
        if attempt(form, lambda: services.record_paper_totals(vote, totals, form.handed_out.data,
                                                              actor=current_user)):
            flash(_("The counted paper ballots have been entered."), "success")
            return redirect(url_for("voting.show_vote", vote_id=vote.id))
    return _vote_page(vote, totals_form=form, status=400)


@bp.route("/c/<coop>/votes/<int:vote_id>/result.csv")
@require("board")
def export_vote(vote_id: int):
    vote = _vote(vote_id)
    if vote.is_open:
        abort(404)
    result = vote.result
    rows = [[_("vote"), vote.title], [_("outcome"), result.get("outcome")], [_("hash"), vote.result_hash]]
    for key in ("eligible", "roll_weight", "votes_for", "votes_against", "abstentions", "blank", "cast"):
        if key in result:
            rows.append([key, result[key]])
    for name, n in (result.get("counts") or {}).items():
        rows.append([_("votes for %(name)s", name=name), n])
    if vote.kind == VoteKind.STV:
        rows += [[_("quota"), result["quota"]], [_("elected"), "; ".join(result["elected"])],
                 [_("not transferable"), result["exhausted"]]]
        for rnd in result["rounds"]:
            prefix = _("round %(n)d", n=rnd["number"])
            rows += [[f"{prefix}: {name}", n] for name, n in rnd["votes"].items()]
            rows.append([f"{prefix}: {_('elected') if rnd['action'] == 'elected' else _('excluded')}",
                         "; ".join(rnd["candidates"]) + f" ({STV_METHOD_LABELS[rnd['method']]})"])
            rows += [[f"{prefix}: " + _("transfer %(a)s → %(b)s", a=a, b=b), n] for a, b, n in rnd["transfers"]]
    for channel, n in result["turnout"]["by_channel"].items():
        rows.append([_("turnout %(channel)s", channel=channel), n])
    rows.append([])
    if vote.is_secret:
        rows += [[_("receipt"), _("choice")]] + [list(r) for r in services.receipts_list(vote)]
    else:
        rows += [[_("membership number"), _("name"), _("choice"), _("channel")]] + [
            [b.member.number, b.member.full_name, b.choice, b.channel.value] for b in services.roll_call(vote)]
    body = write_csv([_("field"), _("value")], rows)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=vote-{vote.id}.csv"})


# --- resolutions register -----------------------------------------------------------------------


def _resolutions():
    return db.session.scalars(select(Resolution).where(Resolution.cooperative_id == g.coop.id)
                              .order_by(Resolution.year.desc(), Resolution.seq.desc())).all()


@bp.route("/c/<coop>/resolutions")
@require("member")
def resolutions():
    return render_template("voting/resolutions.html", resolutions=_resolutions())


@bp.route("/c/<coop>/resolutions.csv")
@require("member")
def export_resolutions():
    rows = [[r.number, r.title, r.meeting.title, r.adopted_on.isoformat(), r.text] for r in _resolutions()]
    body = write_csv([_("number"), _("title"), _("meeting"), _("adopted on"), _("text")], rows)
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=resolutions.csv"})


template_constants(bp, MOTION_KIND_LABELS=MOTION_KIND_LABELS, MOTION_STATUS_LABELS=MOTION_STATUS_LABELS,
                   VOTE_KIND_LABELS=VOTE_KIND_LABELS, CHANNEL_LABELS=CHANNEL_LABELS, CHOICE_LABELS=CHOICE_LABELS,
                   MotionStatus=MotionStatus, channel_names={c.value: label for c, label in CHANNEL_LABELS.items()},
                   item_motions=item_motions, meeting_elections=meeting_elections, choice_text=choice_text,
                   STV_METHOD_LABELS=STV_METHOD_LABELS)
