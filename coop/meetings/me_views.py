"""The member's side of general meetings (/me/c/<coop>/meetings/…): agenda and documents, RSVP,
proxies given and held, questions and proposals, past meetings with their minutes.

Every page loads only the signed-in user's own member record in ``g.coop``."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coop.core import nav
from coop.core.db import scoped
from coop.core.errors import DomainError
from coop.core.forms import apply_domain_error
from coop.core.i18n import lazy_gettext as _l
from coop.core.permissions import require
from coop.extensions import db
from coop.meetings import bp, services
from coop.meetings.forms import ConfirmForm, GiveProxyForm, ProposalForm, QuestionForm, RsvpForm
from coop.meetings.models import (Attendance, DocumentKind, GeneralMeeting, MeetingDocument, MeetingStatus,
                                  MemberProposal, MemberQuestion, Proxy, Rsvp)
from coop.members.models import Member
from coop.members.privacy import own_member

nav.add("coop", "meetings.my_meetings", _l("General meetings"), "member", order=14,
        also=("meetings.my_",))


def _own() -> Member:
    member = own_member(g.coop, current_user)
    if member is None:
        abort(404)
    return member


@bp.route("/me/c/<coop>/meetings/")
@require("member")
def my_meetings():
    upcoming, past = services.upcoming_and_past(g.coop, include_drafts=False)
    drafts = db.session.scalars(select(GeneralMeeting).where(
        GeneralMeeting.cooperative_id == g.coop.id, GeneralMeeting.status == MeetingStatus.DRAFT)
        .order_by(GeneralMeeting.starts_at)).all()
    return render_template("meetings/me/list.html", upcoming=upcoming, past=past, drafts=drafts,
                           member=own_member(g.coop, current_user))


def _page(meeting: GeneralMeeting, member: Member | None, *, forms: dict | None = None, status: int = 200):
    attendance = proxies_given = proxies_held = None
    my_questions = []
    if member is not None:
        attendance = db.session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                                Attendance.member_id == member.id))
        proxies_given = db.session.scalar(select(Proxy).options(selectinload(Proxy.holder)).where(
            Proxy.meeting_id == meeting.id, Proxy.grantor_id == member.id, Proxy.revoked_at.is_(None)))
        proxies_held = db.session.scalars(select(Proxy).options(selectinload(Proxy.grantor)).where(
            Proxy.meeting_id == meeting.id, Proxy.holder_id == member.id, Proxy.revoked_at.is_(None))).all()
        my_questions = db.session.scalars(select(MemberQuestion).where(
            MemberQuestion.meeting_id == meeting.id, MemberQuestion.member_id == member.id)).all()
    answered = db.session.scalars(select(MemberQuestion).where(
        MemberQuestion.meeting_id == meeting.id, MemberQuestion.answered_at.is_not(None))
        .order_by(MemberQuestion.id)).all()
    loose_docs = db.session.scalars(select(MeetingDocument).where(
        MeetingDocument.meeting_id == meeting.id, MeetingDocument.item_id.is_(None),
        MeetingDocument.kind == DocumentKind.DOCUMENT)).all()
    proposals = db.session.scalars(select(MemberProposal).options(selectinload(MemberProposal.signatures))
                                   .where(MemberProposal.meeting_id == meeting.id)
                                   .order_by(MemberProposal.id)).all()
    forms = forms or {}
    rsvp_form = forms.get("rsvp") or RsvpForm()
    if attendance and attendance.rsvp and not rsvp_form.answer.data:
        rsvp_form.answer.data = attendance.rsvp.value
    return render_template(
        "meetings/me/show.html", meeting=meeting, member=member, attendance=attendance,
        proxy_given=proxies_given, proxies_held=proxies_held, my_questions=my_questions, answered=answered,
        loose_docs=loose_docs, proposals=proposals, needed=services.signatures_needed(meeting),
        rsvp_form=rsvp_form, proxy_form=forms.get("proxy") or GiveProxyForm(),
        question_form=forms.get("question") or QuestionForm(),
        proposal_form=forms.get("proposal") or ProposalForm(), confirm_form=ConfirmForm(),
        statutes=g.coop.statutes), status


@bp.route("/me/c/<coop>/meetings/<int:meeting_id>")
@require("member")
def my_meeting(meeting_id: int):
    # A draft is shown too (its agenda marked as in preparation): members make proposals then.
    meeting = scoped(GeneralMeeting, meeting_id)
    return _page(meeting, own_member(g.coop, current_user))


def _post(meeting_id: int, name: str, form_cls, action, message, *, allow_draft: bool = False):
    meeting = scoped(GeneralMeeting, meeting_id)
    if meeting.status == MeetingStatus.DRAFT and not allow_draft:
        abort(404)
    member = _own()
    form = form_cls()
    if form.validate_on_submit():
        try:
            action(meeting, member, form)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("meetings.my_meeting", meeting_id=meeting.id) + f"#{name}")
    return _page(meeting, member, forms={name: form}, status=400)


@bp.route("/me/c/<coop>/meetings/<int:meeting_id>/rsvp", methods=["POST"])
@require("member")
def my_rsvp(meeting_id: int):
    return _post(meeting_id, "rsvp", RsvpForm, lambda m, member, f: services.rsvp(
        m, member, Rsvp(f.answer.data), actor=current_user), _("Thank you, your answer has been saved."))


@bp.route("/me/c/<coop>/meetings/<int:meeting_id>/proxy", methods=["POST"])
@require("member")
def my_proxy(meeting_id: int):
    def give(meeting, member, form):
        holder = db.session.scalar(select(Member).where(Member.cooperative_id == g.coop.id,
                                                        Member.number == form.holder_number.data))
        services.give_proxy(meeting, member, holder, actor=current_user)

    return _post(meeting_id, "proxy", GiveProxyForm, give, _("Your proxy has been recorded."))


@bp.route("/me/c/<coop>/meetings/<int:meeting_id>/proxy/revoke", methods=["POST"])
@require("member")
def my_revoke_proxy(meeting_id: int):
    def revoke(meeting, member, form):
        proxy = db.session.scalar(select(Proxy).where(Proxy.meeting_id == meeting.id, Proxy.grantor_id == member.id,
                                                      Proxy.revoked_at.is_(None)))
        if proxy is None:
            raise DomainError(_l("You have not given a proxy for this meeting."))
        services.revoke_proxy(proxy, actor=current_user)

    return _post(meeting_id, "proxy", ConfirmForm, revoke, _("Your proxy has been revoked: you vote yourself."))


@bp.route("/me/c/<coop>/meetings/<int:meeting_id>/questions", methods=["POST"])
@require("member")
def my_question(meeting_id: int):
    return _post(meeting_id, "question", QuestionForm, lambda m, member, f: services.ask_question(
        m, member, f.question.data, actor=current_user), _("Your question has been sent to the board."),
        allow_draft=True)


@bp.route("/me/c/<coop>/meetings/<int:meeting_id>/proposals", methods=["POST"])
@require("member")
def my_proposal(meeting_id: int):
    return _post(meeting_id, "proposals", ProposalForm, lambda m, member, f: services.propose(
        m, member, {"title": f.title.data, "text": f.text.data, "kind": f.kind.data}, actor=current_user),
        _("Your proposal has been recorded. Ask other members to sign it."), allow_draft=True)


@bp.route("/me/c/<coop>/meetings/<int:meeting_id>/proposals/<int:proposal_id>/sign", methods=["POST"])
@require("member")
def sign_proposal(meeting_id: int, proposal_id: int):
    proposal = scoped(MemberProposal, proposal_id)
    if proposal.meeting_id != meeting_id:
        abort(404)
    return _post(meeting_id, "proposals", ConfirmForm, lambda m, member, f: services.sign_proposal(
        proposal, member, actor=current_user), _("You have signed the proposal."), allow_draft=True)
