"""The board's pages of general meetings, the check-in at the door, the live page and the
documents (served only to those allowed)."""
from __future__ import annotations

from flask import (Response, abort, flash, g, jsonify, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coop.core import nav
from coop.core.db import scoped
from coop.core.errors import DomainError
from coop.core.formatting import template_constants
from coop.core.forms import attempt, form_status
from coop.core.i18n import lazy_gettext as _l
from coop.core.pagination import paginate
from coop.core.permissions import require
from coop.extensions import db
from coop.meetings import bp, cli, documents, letters, services  # noqa: F401 — cli: `flask meetings …`
from coop.meetings.forms import (AnnouncementForm, AnswerForm, CheckInSearchForm, ConfirmForm,
                                 CurrentItemForm, DocumentForm, ItemForm, MeetingForm, MemberPickForm,
                                 PaperProxyForm)
from coop.meetings.models import (ITEM_KIND_LABELS, KIND_LABELS, PROPOSAL_STATUS_LABELS, RSVP_LABELS,
                                  STATUS_LABELS, AgendaChange, AgendaItem, Attendance, Convocation,
                                  DocumentKind, GeneralMeeting, MeetingDocument, MeetingStatus,
                                  MemberProposal, MemberQuestion, Proxy, ProxySource)
from coop.members.models import Member
from coop.members.privacy import own_member

nav.add("coop", "meetings.list_meetings", _l("Meetings"), "board", order=30,
        also=("meetings.",))


template_constants(bp, MEETING_STATUS_LABELS=STATUS_LABELS, MEETING_KIND_LABELS=KIND_LABELS,
                   ITEM_KIND_LABELS=ITEM_KIND_LABELS, RSVP_LABELS=RSVP_LABELS,
                   PROPOSAL_STATUS_LABELS=PROPOSAL_STATUS_LABELS, MeetingStatus=MeetingStatus)


def _meeting(meeting_id: int) -> GeneralMeeting:
    return scoped(GeneralMeeting, meeting_id)


def _item(meeting: GeneralMeeting, item_id: int) -> AgendaItem:
    item = scoped(AgendaItem, item_id)
    if item.meeting_id != meeting.id:
        abort(404)
    return item


def _back(meeting: GeneralMeeting, anchor: str = ""):
    return redirect(url_for("meetings.show_meeting", meeting_id=meeting.id) + anchor)


def _act(meeting: GeneralMeeting, action, success: str, anchor: str = ""):
    """A POST button: one service call, commit, message, back to the meeting."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return _back(meeting, anchor)


# --- meetings -----------------------------------------------------------------------------------


@bp.route("/c/<coop>/meetings/")
@require("board")
def list_meetings():
    upcoming, past = services.upcoming_and_past(g.coop, include_drafts=True)
    return render_template("meetings/list.html", upcoming=upcoming, past=past)


def _meeting_form(**kw) -> MeetingForm:
    form = MeetingForm(**kw)
    held = db.session.scalars(select(GeneralMeeting).where(
        GeneralMeeting.cooperative_id == g.coop.id,
        GeneralMeeting.status.in_((MeetingStatus.CLOSED, MeetingStatus.MINUTES_ADOPTED)))
        .order_by(GeneralMeeting.starts_at.desc())).all()
    form.first_meeting_id.choices = [(0, _("None"))] + [(m.id, m.title) for m in held]
    return form


def _meeting_data(form: MeetingForm) -> dict:
    return {"title": form.title.data, "kind": form.kind.data, "first_meeting_id": form.first_meeting_id.data or None,
            "starts_at": services.to_utc(form.starts_at.data), "duration_minutes": form.duration_minutes.data,
            "place": form.place.data, "online_url": form.online_url.data, "record_on": form.record_on.data}


@bp.route("/c/<coop>/meetings/new", methods=["GET", "POST"])
@require("board")
def new_meeting():
    form = _meeting_form()
    created = []
    if form.validate_on_submit() and attempt(form, lambda: created.append(
            services.create_meeting(g.coop, _meeting_data(form), actor=current_user))):
        flash(_("The meeting has been created as a draft. Complete the agenda, then convene it."), "success")
        return _back(created[0])
    return render_template("meetings/edit.html", form=form, meeting=None), form_status(form)


@bp.route("/c/<coop>/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@require("board")
def edit_meeting(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = _meeting_form(obj=meeting)
    if request.method == "GET":
        form.kind.data = meeting.kind.value
        form.first_meeting_id.data = meeting.first_meeting_id or 0
        form.starts_at.data = meeting.starts_at.astimezone(services.LOCAL_TZ).replace(tzinfo=None)
    if form.validate_on_submit() and attempt(form, lambda: services.update_meeting(
            meeting, _meeting_data(form), actor=current_user)):
        flash(_("The changes have been saved."), "success")
        return _back(meeting)
    return render_template("meetings/edit.html", form=form, meeting=meeting), form_status(form)


@bp.route("/c/<coop>/meetings/<int:meeting_id>")
@require("board")
def show_meeting(meeting_id: int):
    meeting = _meeting(meeting_id)
    changes = db.session.scalars(select(AgendaChange).where(AgendaChange.meeting_id == meeting.id)
                                 .order_by(AgendaChange.id)).all()
    loose_docs = db.session.scalars(select(MeetingDocument).where(
        MeetingDocument.meeting_id == meeting.id, MeetingDocument.item_id.is_(None),
        MeetingDocument.kind == DocumentKind.DOCUMENT)).all()
    convened = dict(db.session.execute(
        select(Convocation.channel, func.count()).where(Convocation.meeting_id == meeting.id)
        .group_by(Convocation.channel)).all())
    questions = db.session.scalar(select(func.count()).select_from(MemberQuestion)
                                  .where(MemberQuestion.meeting_id == meeting.id))
    problem = None
    if meeting.status == MeetingStatus.DRAFT:
        try:
            services.check_convocation(meeting)
        except DomainError as error:
            problem = error.message
    return render_template("meetings/show.html", meeting=meeting, changes=changes, loose_docs=loose_docs,
                           convened=convened, questions=questions, problem=problem,
                           notice_days=services.notice_days(meeting),
                           counts=services.live_counts(meeting), announce_form=AnnouncementForm(),
                           current_form=CurrentItemForm())


# --- agenda -------------------------------------------------------------------------------------


def _item_data(form: ItemForm) -> dict:
    return {"title": form.title.data, "description": form.description.data, "kind": form.kind.data,
            "is_statute_amendment": form.is_statute_amendment.data}


@bp.route("/c/<coop>/meetings/<int:meeting_id>/items/new", methods=["GET", "POST"])
@require("board")
def new_item(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = ItemForm()
    if form.validate_on_submit() and attempt(form, lambda: services.add_item(
            meeting, _item_data(form), actor=current_user, announcement=form.announcement.data)):
        flash(_("The item has been added to the agenda."), "success")
        return _back(meeting, "#agenda")
    return render_template("meetings/item.html", form=form, meeting=meeting, item=None), form_status(form)


@bp.route("/c/<coop>/meetings/<int:meeting_id>/items/<int:item_id>", methods=["GET", "POST"])
@require("board")
def edit_item(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    form = ItemForm(obj=item)
    if request.method == "GET":
        form.kind.data = item.kind.value
    if form.validate_on_submit() and attempt(form, lambda: services.update_item(
            item, _item_data(form), actor=current_user, announcement=form.announcement.data)):
        flash(_("The item has been changed."), "success")
        return _back(meeting, "#agenda")
    remove_form = AnnouncementForm(formdata=None)
    remove_form.announcement.id = remove_form.announcement.label.field_id = "remove-announcement"
    return render_template("meetings/item.html", form=form, meeting=meeting, item=item,
                           remove_form=remove_form), form_status(form)


@bp.route("/c/<coop>/meetings/<int:meeting_id>/items/<int:item_id>/remove", methods=["POST"])
@require("board")
def remove_item(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    form = AnnouncementForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(meeting, lambda: services.remove_item(item, actor=current_user,
                                                      announcement=form.announcement.data),
                _("The item has been removed from the agenda."), "#agenda")


@bp.route("/c/<coop>/meetings/<int:meeting_id>/items/<int:item_id>/move", methods=["POST"])
@require("board")
def move_item(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    form = AnnouncementForm()
    if not form.validate_on_submit():
        abort(400)
    step = -1 if request.form.get("direction") == "up" else 1
    return _act(meeting, lambda: services.move_item(item, step, actor=current_user,
                                                    announcement=form.announcement.data),
                _("The agenda order has been changed."), "#agenda")


@bp.route("/c/<coop>/meetings/<int:meeting_id>/documents/new", methods=["GET", "POST"])
@require("board")
def add_document(meeting_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, request.args.get("item", type=int)) if request.args.get("item") else None
    form = DocumentForm()
    if form.validate_on_submit() and attempt(form, lambda: services.add_document(
            meeting, item, form.file.data.stream, form.file.data.filename or "", actor=current_user,
            announcement=form.announcement.data)):
        flash(_("The document has been added."), "success")
        return _back(meeting, "#agenda")
    return render_template("meetings/document.html", form=form, meeting=meeting, item=item), form_status(form)


@bp.route("/c/<coop>/meetings/<int:meeting_id>/documents/<int:document_id>")
@require("member")
def download_document(meeting_id: int, document_id: int):
    """Board: every file. Members: the meeting's documents once it has been convened."""
    meeting = _meeting(meeting_id)
    doc = scoped(MeetingDocument, document_id)
    if doc.meeting_id != meeting.id:
        abort(404)
    from coop.core.permissions import can

    if not can("board") and (doc.kind != DocumentKind.DOCUMENT or meeting.status == MeetingStatus.DRAFT):
        abort(403)
    response = send_file(documents.path_of(doc.stored_name), mimetype=documents.MIME[doc.file_type],
                         as_attachment=True, download_name=doc.original_name)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- convocation --------------------------------------------------------------------------------


@bp.route("/c/<coop>/meetings/<int:meeting_id>/convene", methods=["GET", "POST"])
@require("board")
def convene(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = ConfirmForm()
    result = []
    if form.validate_on_submit() and attempt(form, lambda: result.append(
            services.convene(meeting, actor=current_user))):
        flash(_("The meeting has been convened: %(email)d e-mails queued, %(letters)d letters to print.",
                email=result[0]["email"], letters=result[0]["letter"]), "success")
        return _back(meeting)
    problem = None
    try:
        services.check_convocation(meeting)
    except DomainError as error:
        problem = error.message
    return render_template("meetings/convene.html", meeting=meeting, form=form, problem=problem,
                           notice_days=services.notice_days(meeting)), form_status(form)


@bp.route("/c/<coop>/meetings/<int:meeting_id>/convocations")
@require("board")
def convocations(meeting_id: int):
    meeting = _meeting(meeting_id)
    page = paginate(select(Convocation).options(selectinload(Convocation.member))
                    .where(Convocation.meeting_id == meeting.id).order_by(Convocation.id))
    return render_template("meetings/convocations.html", meeting=meeting, page=page,
                           parts=letters.part_count(meeting), part_size=letters.PART_SIZE)


@bp.route("/c/<coop>/meetings/<int:meeting_id>/letters.pdf")
@require("board")
def letters_pdf(meeting_id: int):
    meeting = _meeting(meeting_id)
    if meeting.status == MeetingStatus.DRAFT:
        abort(404)
    part = request.args.get("part", 1, type=int)
    if not 1 <= part <= max(letters.part_count(meeting), 1):
        abort(404)
    pdf = letters.render_part(meeting, part)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="oproeping-{meeting.id}-{part}.pdf"',
        "Cache-Control": "private, no-store"})


# --- attendance ---------------------------------------------------------------------------------


@bp.route("/c/<coop>/meetings/<int:meeting_id>/check-in", methods=["GET", "POST"])
@require("board")
def check_in(meeting_id: int):
    meeting = _meeting(meeting_id)
    search = CheckInSearchForm(request.args)
    if request.method == "POST":
        pick = MemberPickForm()
        if pick.validate_on_submit():
            member = scoped(Member, int(pick.member_id.data))
            try:
                fresh = services.check_in(meeting, member, actor=current_user)
            except DomainError as error:
                db.session.rollback()
                flash(str(error.message), "error")
            else:
                db.session.commit()
                flash(_("%(name)s is checked in.", name=member.full_name) if fresh else
                      _("%(name)s was already checked in.", name=member.full_name), "success")
        return redirect(url_for("meetings.check_in", meeting_id=meeting.id))
    found = services.find_for_check_in(meeting, search.q.data or "")
    present = set()
    if found:
        present = set(db.session.scalars(select(Attendance.member_id).where(
            Attendance.meeting_id == meeting.id, Attendance.checked_in_at.is_not(None),
            Attendance.member_id.in_([m.id for m in found]))))
    return render_template("meetings/check_in.html", meeting=meeting, search=search, found=found,
                           present=present, counts=services.live_counts(meeting))


@bp.route("/c/<coop>/meetings/<int:meeting_id>/attendance.pdf")
@require("board")
def attendance_pdf(meeting_id: int):
    from coop.core.pdf import render_pdf

    meeting = _meeting(meeting_id)
    room, online = services.present_ids(meeting)
    rows = db.session.execute(select(Attendance, Member).join(Member, Member.id == Attendance.member_id)
                              .where(Attendance.meeting_id == meeting.id, Attendance.checked_in_at.is_not(None))
                              .order_by(Member.sort_name)).all()
    proxies = db.session.scalars(select(Proxy).options(selectinload(Proxy.grantor), selectinload(Proxy.holder))
                                 .where(Proxy.meeting_id == meeting.id, Proxy.revoked_at.is_(None))).all()
    pdf = render_pdf("pdf/meetings_attendance.html", extra_css=[letters.LIST_CSS], coop=g.coop, meeting=meeting,
                     rows=rows, proxies=proxies, room=room, online=online, counts=services.live_counts(meeting))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="presentielijst-{meeting.id}.pdf"',
        "Cache-Control": "private, no-store"})


# --- proxies ------------------------------------------------------------------------------------


def _by_number(number) -> Member | None:
    return db.session.scalar(select(Member).where(Member.cooperative_id == g.coop.id, Member.number == number))


@bp.route("/c/<coop>/meetings/<int:meeting_id>/proxies", methods=["GET", "POST"])
@require("board")
def proxies(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = PaperProxyForm()

    def register():
        grantor, holder = _by_number(form.grantor_number.data), _by_number(form.holder_number.data)
        if grantor is None:
            raise DomainError(_l("There is no member with this number."), field="grantor_number")
        if holder is None:
            raise DomainError(_l("There is no member with this number."), field="holder_number")
        scan = services.add_document(meeting, None, form.file.data.stream, form.file.data.filename or "",
                                     actor=current_user, kind=DocumentKind.PROXY_SCAN)
        try:
            services.give_proxy(meeting, grantor, holder, actor=current_user, source=ProxySource.PAPER, scan=scan)
        except DomainError:
            documents.path_of(scan.stored_name).unlink(missing_ok=True)  # the row is rolled back
            raise

    if form.validate_on_submit() and attempt(form, register):
        flash(_("The paper proxy has been registered."), "success")
        return redirect(url_for("meetings.proxies", meeting_id=meeting.id))
    rows = db.session.scalars(select(Proxy).options(selectinload(Proxy.grantor), selectinload(Proxy.holder))
                              .where(Proxy.meeting_id == meeting.id).order_by(Proxy.id)).all()
    return render_template("meetings/proxies.html", meeting=meeting, form=form, rows=rows), form_status(form)


@bp.route("/c/<coop>/meetings/<int:meeting_id>/proxies/<int:proxy_id>/revoke", methods=["POST"])
@require("board")
def revoke_proxy(meeting_id: int, proxy_id: int):
    meeting = _meeting(meeting_id)
    proxy = scoped(Proxy, proxy_id)
    if proxy.meeting_id != meeting.id or not ConfirmForm().validate_on_submit():
        abort(404)
    try:
        services.revoke_proxy(proxy, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The proxy has been revoked."), "success")
    return redirect(url_for("meetings.proxies", meeting_id=meeting.id))


# --- the session --------------------------------------------------------------------------------


def _state_route(name: str, service, message):
    def view(meeting_id: int):
        meeting = _meeting(meeting_id)
        if not ConfirmForm().validate_on_submit():
            abort(400)
        return _act(meeting, lambda: service(meeting, actor=current_user), str(message))

    view.__name__ = name
    bp.route(f"/c/<coop>/meetings/<int:meeting_id>/{name.replace('_', '-')}", methods=["POST"])(
        require("board")(view))


_state_route("open_session", services.open_session, _l("The session is open."))
_state_route("open_voting", services.open_voting, _l("Voting is open: proxies are fixed from now on."))
_state_route("close_meeting", services.close_meeting, _l("The meeting is closed. A draft of the minutes is ready."))


@bp.route("/c/<coop>/meetings/<int:meeting_id>/current", methods=["POST"])
@require("board")
def set_current_item(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = CurrentItemForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(meeting, lambda: services.set_current_item(meeting, form.position.data, actor=current_user),
                _("The current item has been changed."), "#agenda")


@bp.route("/c/<coop>/meetings/<int:meeting_id>/items/<int:item_id>/adopt-minutes", methods=["POST"])
@require("board")
def adopt_minutes(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _act(meeting, lambda: services.adopt_minutes(item, actor=current_user),
                _("The minutes have been adopted."), "#agenda")


# --- live page ----------------------------------------------------------------------------------


def _live_state(meeting: GeneralMeeting) -> dict:
    item = meeting.current_item
    return {"status": meeting.status.value, "status_label": str(STATUS_LABELS[meeting.status]),
            "current_item": {"position": item.position, "title": item.title} if item else None,
            "voting_open": meeting.is_voting_open, "counts": services.live_counts(meeting)}


def _mark_presence(meeting: GeneralMeeting) -> None:
    """A member with the live page open during the session counts as present online (the room's
    screen passes ?screen=1 and does not count)."""
    if request.args.get("screen"):
        return
    member = own_member(g.coop, current_user)
    if member is not None:
        services.mark_online(meeting, member)
        db.session.commit()


@bp.route("/c/<coop>/meetings/<int:meeting_id>/live")
@require("member")
def live(meeting_id: int):
    meeting = _meeting(meeting_id)
    if meeting.status == MeetingStatus.DRAFT:
        abort(404)
    _mark_presence(meeting)
    return render_template("meetings/live.html", meeting=meeting, state=_live_state(meeting),
                           screen=bool(request.args.get("screen")))


@bp.route("/c/<coop>/meetings/<int:meeting_id>/live.json")
@require("member")
def live_json(meeting_id: int):
    meeting = _meeting(meeting_id)
    if meeting.status == MeetingStatus.DRAFT:
        abort(404)
    _mark_presence(meeting)
    response = jsonify(_live_state(meeting))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- minutes ------------------------------------------------------------------------------------


@bp.route("/c/<coop>/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
@require("board")
def minutes(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        texts = {item.id: request.form.get(f"item-{item.id}", "")[:20000] for item in meeting.items}
        if attempt(form, lambda: services.update_minutes(meeting, request.form.get("intro", "")[:20000], texts,
                                                         actor=current_user)):
            flash(_("The minutes have been saved."), "success")
            return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
    return render_template("meetings/minutes.html", meeting=meeting, form=form), form_status(form)


@bp.route("/c/<coop>/meetings/<int:meeting_id>/minutes.pdf")
@require("member")
def minutes_pdf(meeting_id: int):
    from coop.core.pdf import render_pdf
    from coop.core.permissions import can

    meeting = _meeting(meeting_id)
    if meeting.status not in (MeetingStatus.CLOSED, MeetingStatus.MINUTES_ADOPTED) and not can("board"):
        abort(404)
    pdf = render_pdf("pdf/meetings_minutes.html", extra_css=[letters.LIST_CSS], coop=g.coop, meeting=meeting)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="notulen-{meeting.id}.pdf"', "Cache-Control": "private"})


# --- questions ----------------------------------------------------------------------------------


@bp.route("/c/<coop>/meetings/<int:meeting_id>/questions", methods=["GET", "POST"])
@require("board")
def questions(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = AnswerForm()
    if form.validate_on_submit():
        question = scoped(MemberQuestion, request.form.get("question_id", type=int) or 0)
        if question.meeting_id != meeting.id:
            abort(404)
        if attempt(form, lambda: services.answer_question(question, form.answer.data, actor=current_user)):
            flash(_("The answer has been published."), "success")
            return redirect(url_for("meetings.questions", meeting_id=meeting.id))
    rows = db.session.scalars(select(MemberQuestion).options(selectinload(MemberQuestion.member))
                              .where(MemberQuestion.meeting_id == meeting.id).order_by(MemberQuestion.id)).all()
    proposals = db.session.scalars(select(MemberProposal).where(MemberProposal.meeting_id == meeting.id)
                                   .order_by(MemberProposal.id)).all()
    return render_template("meetings/questions.html", meeting=meeting, rows=rows, form=form,
                           proposals=proposals, needed=services.signatures_needed(meeting)), form_status(form)

