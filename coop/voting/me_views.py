"""The member's side of voting (/me/c/<coop>/votes/…): what needs my vote, the ballot (own and
for those I represent, in one step), the confirmation with receipts, my votes, and results."""
from __future__ import annotations

from flask import abort, g, make_response, render_template, request
from flask_login import current_user
from sqlalchemy import select

from coop.core import nav
from coop.core.db import scoped
from coop.core.forms import attempt, form_status
from coop.core.i18n import lazy_gettext as _l
from coop.core.permissions import require
from coop.extensions import db
from coop.members.models import Member
from coop.members.privacy import own_member
from coop.voting import bp, services
from coop.voting.forms import ReceiptCheckForm, ballot_form, checked_receipt
from coop.voting.models import Ballot, Participation, Vote, VoteStatus
from coop.voting.views import choice_labels

nav.add("coop", "voting.my_votes", _l("Votes"), "member", order=15, also=("voting.my_", "voting.ballot",
                                                                         "voting.vote_result"))


@bp.route("/me/c/<coop>/votes/")
@require("member")
def my_votes():
    member = own_member(g.coop, current_user)
    needs = services.needs_my_vote(member) if member else []
    cast = []
    if member is not None:
        open_ids = db.session.scalars(select(Ballot.vote_id).where(
            (Ballot.member_id == member.id) | (Ballot.cast_by_member_id == member.id))).all()
        secret_ids = db.session.scalars(select(Participation.vote_id).where(
            (Participation.member_id == member.id) | (Participation.cast_by_member_id == member.id))).all()
        cast = db.session.scalars(select(Vote).where(Vote.id.in_(set(open_ids) | set(secret_ids)))
                                  .order_by(Vote.id.desc())).all()
    closed = db.session.scalars(select(Vote).where(Vote.cooperative_id == g.coop.id, Vote.status == VoteStatus.CLOSED)
                                .order_by(Vote.closed_at.desc()).limit(50)).all()
    return render_template("voting/me/list.html", member=member, needs=needs, cast=cast, closed=closed)


def _names(entries, me: Member) -> dict:
    ids = [e.member_id for e in entries]
    others = [i for i in ids if i != me.id]
    members = {m.id: m for m in db.session.scalars(select(Member).where(Member.id.in_(others)))} if others else {}
    return {i: (str(_l("My own vote")) if i == me.id else
                str(_l("For %(name)s (proxy)", name=members[i].full_name))) for i in ids}


@bp.route("/me/c/<coop>/votes/<int:vote_id>", methods=["GET", "POST"])
@require("member")
def ballot(vote_id: int):
    # Casting: the vote's row is held (and its status read anew) with the roll, once.
    found = services.ballot_state(vote_id, g.coop, current_user, lock=request.method == "POST")
    if found is None:
        abort(404)
    vote, member, state = found
    entries, left = state
    labels = choice_labels(vote)
    names = _names(left, member)
    form = ballot_form(vote, left, labels, names)
    receipts = None
    if left and vote.is_open and form.validate_on_submit():
        choices = {e.member_id: getattr(form, f"m{e.member_id}").data for e in left}
        choices = {m: c for m, c in choices.items() if c}
        done = {}

        def action():
            done.update(services.cast(vote, member, choices, actor=current_user, locked_state=state))

        # The confirmation is rendered right after the commit from what this request holds:
        # no need to read the account, the cooperative and the vote again (a voting burst is
        # thousands of these).
        db.session().expire_on_commit = False
        if attempt(form, action):
            receipts = {names[m]: code for m, code in done.items()}
            response = make_response(render_template("voting/me/cast.html", vote=vote, receipts=receipts,
                                                     count=len(choices)))
            response.headers["Cache-Control"] = "no-store"  # the receipt is shown once
            return response
    return render_template("voting/me/ballot.html", vote=vote, form=form, left=left, entries=entries,
                           labels=labels), form_status(form) if request.method == "POST" else 200


@bp.route("/me/c/<coop>/votes/<int:vote_id>/result", methods=["GET", "POST"])
@require("member")
def vote_result(vote_id: int):
    vote = scoped(Vote, vote_id)
    if vote.is_open:
        abort(404)
    receipts = services.receipts_list(vote)
    form = ReceiptCheckForm()
    found = checked_receipt(receipts, form)
    return render_template("voting/me/result.html", vote=vote, result=vote.result, labels=choice_labels(vote),
                           roll_call=services.roll_call(vote), receipts=receipts, form=form, found=found)
