"""Pages of both sides: the board's requests (/c/<coop>/requests/…) and the liaison's inbox,
requests, catalogue, region and API tokens (/m/<municipality>/…).

A request is always loaded through :func:`load_request`, scoped to the cooperative or the
municipality of the URL (another tenant's request answers 404); the municipality never sees
drafts. Internal notes are only ever loaded on the municipality's side.
"""
from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from coop.consultations.models import Consultation, ConsultationStatus
from coop.core import nav
from coop.core.formatting import local_time
from coop.core.forms import attempt
from coop.core.i18n import lazy_gettext as _l
from coop.core.pagination import paginate
from coop.core.permissions import require
from coop.extensions import db
from coop.liaison import attachments, bp, services
from coop.liaison.forms import (AssignForm, AttachmentForm, CommitmentForm, CommitmentStatusForm, DecideForm,
                                ExtendForm, InformationForm, MessageForm, NoteForm, QuestionForm, ReasonForm,
                                RequestForm, TextForm, TypeForm)
from coop.liaison.models import (COMMITMENT_LABELS, EVENT_LABELS, KIND_LABELS, OPEN_STATUSES, OUTCOME_LABELS,
                                 RUNNING_STATUSES, STATUS_LABELS, UNIT_LABELS, Commitment, CommitmentStatus,
                                 LiaisonRequest, Outcome, RequestAttachment, RequestKind, RequestMessage,
                                 RequestNote, RequestStatus, RequestType, Side)
from coop.meetings.models import Resolution, format_resolution_number
from coop.orgs.models import Cooperative, Role, RoleAssignment

S = RequestStatus

nav.add("coop", "liaison.coop_requests", _l("Requests to the municipality"), "board", order=60)
nav.add("municipality", "liaison.inbox", _l("Requests"), "liaison", order=20,
        also=("liaison.muni_request",))
nav.add("municipality", "liaison.region", _l("Collectives in the region"), "liaison", order=30,
        also=("liaison.region_coop",))
nav.add("municipality", "liaison.catalogue", _l("Request catalogue"), "liaison", order=40,
        also=("liaison.edit_type",))
nav.add("municipality", "liaison.muni_api_tokens", _l("API tokens"), "liaison", order=88)



def side() -> Side:
    return Side.COOPERATIVE if g.get("coop") is not None else Side.MUNICIPALITY


def load_request(request_id: int) -> LiaisonRequest:
    """The request of the URL's cooperative or municipality (not a draft for the latter), or 404."""
    stmt = select(LiaisonRequest).options(joinedload(LiaisonRequest.request_type),
                                          joinedload(LiaisonRequest.cooperative),
                                          joinedload(LiaisonRequest.municipality))
    if g.get("coop") is not None:
        stmt = stmt.where(LiaisonRequest.id == request_id, LiaisonRequest.cooperative_id == g.coop.id)
    else:
        stmt = stmt.where(LiaisonRequest.id == request_id, LiaisonRequest.municipality_id == g.municipality.id,
                          LiaisonRequest.status != S.DRAFT)
    return db.session.scalar(stmt) or abort(404)


def request_url(req: LiaisonRequest, anchor: str | None = None) -> str:
    endpoint = "liaison.coop_request" if side() is Side.COOPERATIVE else "liaison.muni_request"
    return url_for(endpoint, request_id=req.id, _anchor=anchor)


def _show(req: LiaisonRequest, status: int = 200, **forms):
    """The request page of either side, with the forms that side may use."""
    mine = side()
    events = req.events
    messages = db.session.scalars(select(RequestMessage).options(joinedload(RequestMessage.author))
                                  .where(RequestMessage.request_id == req.id).order_by(RequestMessage.id)).all()
    files = services.attachments_of(req)
    commitments = db.session.scalars(select(Commitment).where(Commitment.request_id == req.id)
                                     .order_by(Commitment.due_on, Commitment.id)).all()
    ctx = dict(req=req, side=mine.value, events=events, messages=messages, files=files,
               commitments=commitments, state=services.term_state(req),
               EVENT_LABELS=EVENT_LABELS, STATUS_LABELS=STATUS_LABELS, OUTCOME_LABELS=OUTCOME_LABELS,
               UNIT_LABELS=UNIT_LABELS, COMMITMENT_LABELS=COMMITMENT_LABELS, S=S,
               commitment_form=CommitmentStatusForm(formdata=None))
    if mine is Side.COOPERATIVE:
        ctx.update(message_form=forms.get("message_form") or MessageForm(formdata=None),
                   information_form=forms.get("information_form") or InformationForm(formdata=None),
                   attachment_form=forms.get("attachment_form") or AttachmentForm(formdata=None),
                   text_form=forms.get("text_form") or TextForm(formdata=None))
    else:
        assign_form = forms.get("assign_form") or AssignForm(formdata=None, assignee=req.assignee_id or 0)
        assign_form.assignee.choices = [(0, _("Nobody yet"))] + colleagues()
        ctx.update(notes=db.session.scalars(select(RequestNote).options(joinedload(RequestNote.author))
                                            .where(RequestNote.request_id == req.id)
                                            .order_by(RequestNote.id)).all(),
                   message_form=forms.get("message_form") or MessageForm(formdata=None),
                   text_form=forms.get("text_form") or TextForm(formdata=None),
                   question_form=forms.get("question_form") or QuestionForm(formdata=None),
                   extend_form=forms.get("extend_form") or ExtendForm(formdata=None),
                   decide_form=forms.get("decide_form") or DecideForm(formdata=None),
                   reason_form=forms.get("reason_form") or ReasonForm(formdata=None),
                   note_form=forms.get("note_form") or NoteForm(formdata=None),
                   new_commitment_form=forms.get("new_commitment_form") or CommitmentForm(formdata=None),
                   assign_form=assign_form)
    return render_template("liaison/request.html", **ctx), status


def _act(req: LiaisonRequest, form, action, done: str, form_name: str):
    """Validate ``form``, run one service, commit, flash and go back; or show the page with errors."""
    if form.validate_on_submit() and attempt(form, action):
        flash(done, "success")
        return redirect(request_url(req))
    if not form.errors and not form.form_errors:
        form.form_errors.append(_("The form had expired or was not sent from this site. Please try again."))
    db.session.rollback()
    return _show(load_request(req.id), 400, **{form_name: form})


# --- the board's side ------------------------------------------------------------------------------


def _type_choices(form: RequestForm) -> None:
    types = [t for t in services.ensure_catalogue(g.coop.municipality) if t.is_active]
    form.request_type.choices = [(t.id, str(t.label)) for t in types]
    form.types = types
    resolutions = db.session.execute(
        select(Resolution.id, Resolution.year, Resolution.seq, Resolution.title)
        .where(Resolution.cooperative_id == g.coop.id)
        .order_by(Resolution.year.desc(), Resolution.seq.desc()).limit(200)).all()
    form.resolution.choices = [(0, _("None"))] + [
        (r.id, f"{format_resolution_number(r.year, r.seq)} {r.title}") for r in resolutions]
    consultations = db.session.execute(
        select(Consultation.id, Consultation.title, Consultation.closed_at)
        .where(Consultation.cooperative_id == g.coop.id, Consultation.status == ConsultationStatus.CLOSED)
        .order_by(Consultation.closed_at.desc()).limit(200)).all()
    form.consultation.choices = [(0, _("None"))] + [
        (c.id, f"{c.title} ({local_time(c.closed_at)})") for c in consultations]


@bp.route("/c/<coop>/requests")
@require("board")
def coop_requests():
    page = paginate(select(LiaisonRequest).options(joinedload(LiaisonRequest.request_type))
                    .where(LiaisonRequest.cooperative_id == g.coop.id)
                    .order_by(LiaisonRequest.created_at.desc(), LiaisonRequest.id.desc()))
    open_commitments = db.session.scalars(
        select(Commitment).options(joinedload(Commitment.request))
        .where(Commitment.cooperative_id == g.coop.id,
               Commitment.status.in_((CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS)))
        .order_by(Commitment.due_on).limit(50)).all()
    today = services.today()
    return render_template("liaison/coop_requests.html", page=page, today=today, S=S,
                           STATUS_LABELS=STATUS_LABELS, commitments=open_commitments,
                           states={r.id: services.term_state(r, today) for r in page.items})


@bp.route("/c/<coop>/requests/new", methods=["GET", "POST"])
@require("board")
def new_request():
    form = RequestForm()
    _type_choices(form)
    created = []
    if form.validate_on_submit():
        rtype = next((t for t in form.types if t.id == form.request_type.data), None)
        if rtype is None:
            abort(400)
        if attempt(form, lambda: created.append(services.create_draft(
                g.coop, rtype, subject=form.subject.data, body=form.body.data, location=form.location.data,
                resolution_id=form.resolution.data, consultation_id=form.consultation.data,
                actor=current_user))):
            flash(_("The draft has been saved. Add attachments if needed, then submit it."), "success")
            return redirect(url_for("liaison.coop_request", request_id=created[0].id))
    db.session.commit()  # the catalogue, when it was just created
    return render_template("liaison/request_form.html", form=form, req=None, UNIT_LABELS=UNIT_LABELS), \
        (400 if form.errors or form.form_errors else 200)


@bp.route("/c/<coop>/requests/<int:request_id>/edit", methods=["GET", "POST"])
@require("board")
def edit_request(request_id: int):
    req = load_request(request_id)
    if req.status is not S.DRAFT:
        flash(_("Only a draft can be changed; write a message instead."), "error")
        return redirect(request_url(req))
    form = RequestForm(obj=req, request_type=req.request_type_id, resolution=req.resolution_id or 0,
                       consultation=req.consultation_id or 0)
    _type_choices(form)
    if form.validate_on_submit():
        rtype = next((t for t in form.types if t.id == form.request_type.data), None) or abort(400)
        if attempt(form, lambda: services.update_draft(req, rtype, subject=form.subject.data, body=form.body.data,
                                                       location=form.location.data,
                                                       resolution_id=form.resolution.data,
                                                       consultation_id=form.consultation.data, actor=current_user)):
            flash(_("The draft has been saved."), "success")
            return redirect(request_url(req))
    return render_template("liaison/request_form.html", form=form, req=req, UNIT_LABELS=UNIT_LABELS), \
        (400 if form.errors or form.form_errors else 200)


@bp.route("/c/<coop>/requests/<int:request_id>")
@require("board")
def coop_request(request_id: int):
    return _show(load_request(request_id))


@bp.route("/c/<coop>/requests/<int:request_id>/delete", methods=["POST"])
@require("board")
def delete_request(request_id: int):
    req = load_request(request_id)
    form = TextForm()
    if form.validate_on_submit() and attempt(form, lambda: services.delete_draft(req, actor=current_user)):
        flash(_("The draft has been deleted."), "success")
        return redirect(url_for("liaison.coop_requests"))
    return _show(load_request(request_id), 400, text_form=form)


@bp.route("/c/<coop>/requests/<int:request_id>/submit", methods=["POST"])
@require("board")
def submit_request(request_id: int):
    req = load_request(request_id)
    return _act(req, TextForm(), lambda: services.submit(req, actor=current_user),
                _("The request has been submitted; a receipt has been sent by e-mail."), "text_form")


@bp.route("/c/<coop>/requests/<int:request_id>/withdraw", methods=["POST"])
@require("board")
def withdraw_request(request_id: int):
    req = load_request(request_id)
    form = TextForm()
    return _act(req, form, lambda: services.withdraw(req, actor=current_user, reason=form.text.data),
                _("The request has been withdrawn."), "text_form")


@bp.route("/c/<coop>/requests/<int:request_id>/information", methods=["POST"])
@require("board")
def provide_information(request_id: int):
    req = load_request(request_id)
    form = InformationForm()
    return _act(req, form, lambda: services.provide_information(req, actor=current_user, body=form.information.data),
                _("The information has been sent; the term runs again."), "information_form")


@bp.route("/c/<coop>/requests/<int:request_id>/notice-of-default", methods=["POST"])
@require("board")
def send_notice(request_id: int):
    req = load_request(request_id)
    return _act(req, TextForm(), lambda: services.send_notice_of_default(req, actor=current_user),
                _("The notice of default has been recorded and sent to the municipality. Download the "
                  "letter to keep or post it."), "text_form")


@bp.route("/c/<coop>/requests/<int:request_id>/messages", methods=["POST"])
@bp.route("/m/<municipality>/requests/<int:request_id>/messages", methods=["POST"],
          endpoint="muni_post_message")
@require("board", "liaison")
def post_message(request_id: int):
    req = load_request(request_id)
    form = MessageForm()
    return _act(req, form, lambda: services.post_message(req, actor=current_user, side=side(), body=form.body.data),
                _("The message has been sent."), "message_form")


@bp.route("/c/<coop>/requests/<int:request_id>/attachments", methods=["POST"])
@require("board")
def upload_attachment(request_id: int):
    req = load_request(request_id)
    form = AttachmentForm()
    if not form.file.data:
        form.file.errors = [_("Choose a file.")]
        return _show(req, 400, attachment_form=form)
    return _act(req, form, lambda: services.add_attachment(req, form.file.data, actor=current_user,
                                                           side=Side.COOPERATIVE),
                _("The document has been added."), "attachment_form")


@bp.route("/c/<coop>/requests/<int:request_id>/attachments/<int:attachment_id>")
@bp.route("/m/<municipality>/requests/<int:request_id>/attachments/<int:attachment_id>",
          endpoint="muni_attachment")
@require("board", "liaison")
def download_attachment(request_id: int, attachment_id: int):
    req = load_request(request_id)
    att = db.session.scalar(select(RequestAttachment).where(RequestAttachment.id == attachment_id,
                                                            RequestAttachment.request_id == req.id)) or abort(404)
    path = attachments.path_of(att.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=att.content_type, as_attachment=True, download_name=att.filename,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/c/<coop>/requests/<int:request_id>/letter.pdf")
@bp.route("/m/<municipality>/requests/<int:request_id>/letter.pdf", endpoint="muni_letter_pdf")
@require("board", "liaison")
def letter_pdf(request_id: int):
    from coop.liaison.letters import request_letter

    return request_letter(load_request(request_id))


@bp.route("/c/<coop>/requests/<int:request_id>/notice-of-default.pdf")
@bp.route("/m/<municipality>/requests/<int:request_id>/notice-of-default.pdf", endpoint="muni_notice_pdf")
@require("board", "liaison")
def notice_pdf(request_id: int):
    from coop.liaison.letters import notice_letter

    req = load_request(request_id)
    if req.notice_on is None:
        abort(404)
    return notice_letter(req)


@bp.route("/c/<coop>/requests/<int:request_id>/commitments/<int:commitment_id>", methods=["POST"])
@bp.route("/m/<municipality>/requests/<int:request_id>/commitments/<int:commitment_id>", methods=["POST"],
          endpoint="muni_update_commitment")
@require("board", "liaison")
def update_commitment(request_id: int, commitment_id: int):
    req = load_request(request_id)
    c = db.session.scalar(select(Commitment).where(Commitment.id == commitment_id,
                                                   Commitment.request_id == req.id)) or abort(404)
    form = CommitmentStatusForm()
    return _act(req, form, lambda: services.update_commitment(
        c, actor=current_user, side=side(), status=CommitmentStatus(form.status.data), progress=form.progress.data),
        _("The commitment has been updated."), "commitment_form")


# --- the municipality's side -----------------------------------------------------------------------


def colleagues() -> list[tuple[int, str]]:
    from coop.auth.models import User

    rows = db.session.execute(
        select(User.id, User.name).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.municipality_id == g.municipality.id, RoleAssignment.role == Role.LIAISON)
        .order_by(User.name)).all()
    return [(r.id, r.name) for r in rows]


INBOX_VIEWS = {
    "open": _l("Open"),
    "overdue": _l("Overdue"),
    "soon": _l("Due within a week"),
    "mine": _l("Assigned to me"),
    "unassigned": _l("Not assigned"),
    "all": _l("All"),
}


#: The inbox counts at most this many requests ("more than 1,000"): an exact count would read
#: every matching row on each page.
INBOX_COUNT_CAP = 1_000


def inbox_conditions(municipality_id: int, args, today, user_id: int | None = None) -> list:
    """The conditions of the inbox for the filters in ``args`` (view, status, kind, coop)."""
    view = args.get("view") or "open"
    where = [LiaisonRequest.municipality_id == municipality_id, LiaisonRequest.status != S.DRAFT]
    if view == "overdue":
        where += [LiaisonRequest.status.in_(RUNNING_STATUSES), LiaisonRequest.due_on < today]
    elif view == "soon":
        where += [LiaisonRequest.status.in_(RUNNING_STATUSES), LiaisonRequest.due_on >= today,
                  LiaisonRequest.due_on <= today + timedelta(days=7)]
    elif view == "mine":
        where += [LiaisonRequest.status.in_(OPEN_STATUSES), LiaisonRequest.assignee_id == user_id]
    elif view == "unassigned":
        where += [LiaisonRequest.status.in_(OPEN_STATUSES), LiaisonRequest.assignee_id.is_(None)]
    elif view != "all":
        where.append(LiaisonRequest.status.in_(OPEN_STATUSES))
    status = args.get("status")
    if status in {s.value for s in RequestStatus if s is not S.DRAFT}:
        where.append(LiaisonRequest.status == RequestStatus(status))
    kind = args.get("kind")
    if kind in {k.value for k in RequestKind}:
        # The type's id (one per kind in a catalogue), so that the index per type gives the order.
        where.append(LiaisonRequest.request_type_id == select(RequestType.id).where(
            RequestType.municipality_id == municipality_id, RequestType.kind == RequestKind(kind)).scalar_subquery())
    coop_id = args.get("coop_id", type=int)
    if coop_id:
        where.append(LiaisonRequest.cooperative_id == coop_id)
    return where


def inbox_query(where: list):
    """The inbox's rows: plain rows with what the list shows (no entities), in the order of the
    inbox's indexes (due date, id)."""
    from coop.auth.models import User

    return (select(LiaisonRequest.id, LiaisonRequest.subject, LiaisonRequest.receipt_number, LiaisonRequest.status,
                   LiaisonRequest.due_on, Cooperative.name.label("coop_name"), RequestType.kind,
                   User.name.label("assignee_name"))
            .join(Cooperative, Cooperative.id == LiaisonRequest.cooperative_id)
            .join(RequestType, RequestType.id == LiaisonRequest.request_type_id)
            .outerjoin(User, User.id == LiaisonRequest.assignee_id)
            .where(*where).order_by(LiaisonRequest.due_on, LiaisonRequest.id))


@bp.route("/m/<municipality>/requests")
@require("liaison")
def inbox():
    today = services.today()
    where = inbox_conditions(g.municipality.id, request.args, today, current_user.id)
    page = paginate(inbox_query(where), per_page=50, rows=True, cap=INBOX_COUNT_CAP,
                    count_select=select(LiaisonRequest.id).where(*where))
    coops = db.session.execute(select(Cooperative.id, Cooperative.name)
                               .where(Cooperative.municipality_id == g.municipality.id)
                               .order_by(Cooperative.name)).all()
    return render_template("liaison/inbox.html", page=page, today=today, coops=coops, S=S,
                           VIEWS=INBOX_VIEWS, STATUS_LABELS=STATUS_LABELS, KIND_LABELS=KIND_LABELS,
                           RUNNING=RUNNING_STATUSES, args=request.args)


@bp.route("/m/<municipality>/requests/<int:request_id>")
@require("liaison")
def muni_request(request_id: int):
    return _show(load_request(request_id))


#: The simple moves of the liaison: one form (an optional explanation), one service each.
SIMPLE_MOVES = {
    "acknowledge": (services.acknowledge, _l("The receipt has been acknowledged.")),
    "start": (services.start_work, _l("The request is in progress.")),
    "close": (services.close, _l("The request has been closed.")),
}


@bp.route("/m/<municipality>/requests/<int:request_id>/move/<move>", methods=["POST"])
@require("liaison")
def move_request(request_id: int, move: str):
    if move not in SIMPLE_MOVES:
        abort(404)
    req = load_request(request_id)
    form = TextForm()
    service, done = SIMPLE_MOVES[move]
    return _act(req, form, lambda: service(req, actor=current_user, text=form.text.data), str(done), "text_form")


@bp.route("/m/<municipality>/requests/<int:request_id>/request-information", methods=["POST"])
@require("liaison")
def request_information(request_id: int):
    req = load_request(request_id)
    form = QuestionForm()
    return _act(req, form, lambda: services.request_information(req, actor=current_user, question=form.question.data),
                _("The question has been sent; the term is suspended until the answer."), "question_form")


@bp.route("/m/<municipality>/requests/<int:request_id>/extend", methods=["POST"])
@require("liaison")
def extend_term(request_id: int):
    req = load_request(request_id)
    form = ExtendForm()
    return _act(req, form, lambda: services.extend_term(req, actor=current_user, amount=form.amount.data,
                                                        reason=form.grounds.data),
                _("The term has been extended; the cooperative has been told."), "extend_form")


@bp.route("/m/<municipality>/requests/<int:request_id>/decide", methods=["POST"])
@require("liaison")
def decide(request_id: int):
    req = load_request(request_id)
    form = DecideForm()
    return _act(req, form, lambda: services.decide(req, actor=current_user, outcome=Outcome(form.outcome.data),
                                                   answer=form.answer.data, document=form.document.data or None),
                _("The decision has been recorded and sent."), "decide_form")


@bp.route("/m/<municipality>/requests/<int:request_id>/reopen", methods=["POST"])
@require("liaison")
def reopen(request_id: int):
    req = load_request(request_id)
    form = ReasonForm()
    return _act(req, form, lambda: services.reopen(req, actor=current_user, reason=form.reason.data),
                _("The request has been reopened."), "reason_form")


@bp.route("/m/<municipality>/requests/<int:request_id>/assign", methods=["POST"])
@require("liaison")
def assign(request_id: int):
    req = load_request(request_id)
    form = AssignForm()
    form.assignee.choices = [(0, "—")] + colleagues()
    return _act(req, form, lambda: services.assign(req, form.assignee.data or None, actor=current_user),
                _("The assignment has been saved."), "assign_form")


@bp.route("/m/<municipality>/requests/<int:request_id>/notes", methods=["POST"])
@require("liaison")
def add_note(request_id: int):
    req = load_request(request_id)
    form = NoteForm()
    return _act(req, form, lambda: services.add_note(req, actor=current_user, body=form.note.data),
                _("The note has been saved."), "note_form")


@bp.route("/m/<municipality>/requests/<int:request_id>/commitments", methods=["POST"])
@require("liaison")
def add_commitment(request_id: int):
    req = load_request(request_id)
    form = CommitmentForm()
    return _act(req, form, lambda: services.add_commitment(req, actor=current_user, what=form.what.data,
                                                           who=form.who.data, due_on=form.due_on.data),
                _("The commitment has been recorded."), "new_commitment_form")


# --- catalogue -----------------------------------------------------------------------------------


@bp.route("/m/<municipality>/catalogue")
@require("liaison")
def catalogue():
    types = services.ensure_catalogue(g.municipality)
    db.session.commit()
    return render_template("liaison/catalogue.html", types=types, UNIT_LABELS=UNIT_LABELS)


@bp.route("/m/<municipality>/catalogue/<int:type_id>", methods=["GET", "POST"])
@require("liaison")
def edit_type(type_id: int):
    rtype = db.session.scalar(select(RequestType).where(RequestType.id == type_id,
                                                        RequestType.municipality_id == g.municipality.id)) or abort(404)
    form = TypeForm(obj=rtype, term_unit=rtype.term_unit.value)
    if request.method == "GET":
        form.term_unit.data = rtype.term_unit.value
    changed = {}
    if form.validate_on_submit() and attempt(form, lambda: changed.update(
            services.update_type(rtype, form.values(), actor=current_user))):
        flash(_("The kind of request has been saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("liaison.catalogue"))
    return render_template("liaison/type_form.html", form=form, rtype=rtype), \
        (400 if form.errors or form.form_errors else 200)


# --- collectives in the region -------------------------------------------------------------------


def life_stage(coop, members: int) -> str:
    from datetime import date

    years = (date.today() - coop.founded_on).days / 365.25 if coop.founded_on else 0
    if members < 50 or years < 2:
        return _("starting")
    if years < 5:
        return _("growing")
    return _("established")


@bp.route("/m/<municipality>/region")
@require("liaison")
def region():
    from coop.members.models import Member, MemberStatus

    page = paginate(select(Cooperative).where(Cooperative.municipality_id == g.municipality.id)
                    .order_by(Cooperative.name))
    ids = [c.id for c in page.items]
    sizes = dict(db.session.execute(
        select(Member.cooperative_id, func.count()).where(Member.cooperative_id.in_(ids),
                                                          Member.status == MemberStatus.MEMBER)
        .group_by(Member.cooperative_id)).all()) if ids else {}
    open_counts = dict(db.session.execute(
        select(LiaisonRequest.cooperative_id, func.count()).where(
            LiaisonRequest.cooperative_id.in_(ids), LiaisonRequest.status.in_(OPEN_STATUSES))
        .group_by(LiaisonRequest.cooperative_id)).all()) if ids else {}
    contacts = {}
    if ids:
        for ra in db.session.scalars(select(RoleAssignment).options(joinedload(RoleAssignment.user))
                                     .where(RoleAssignment.cooperative_id.in_(ids), RoleAssignment.role == Role.BOARD)
                                     .order_by(RoleAssignment.board_position, RoleAssignment.id)):
            contacts.setdefault(ra.cooperative_id, ra.user)
    return render_template("liaison/region.html", page=page, sizes=sizes, open_counts=open_counts,
                           contacts=contacts, stage=lambda c: life_stage(c, sizes.get(c.id, 0)))


@bp.route("/m/<municipality>/region/<int:coop_id>")
@require("liaison")
def region_coop(coop_id: int):
    from coop.members.models import Member, MemberStatus

    coop = db.session.scalar(select(Cooperative).where(Cooperative.id == coop_id,
                                                       Cooperative.municipality_id == g.municipality.id)) or abort(404)
    requests_ = db.session.scalars(
        select(LiaisonRequest).options(joinedload(LiaisonRequest.request_type))
        .where(LiaisonRequest.cooperative_id == coop.id, LiaisonRequest.municipality_id == g.municipality.id,
               LiaisonRequest.status != S.DRAFT)
        .order_by(LiaisonRequest.received_on.desc(), LiaisonRequest.id.desc()).limit(200)).all()
    commitments = db.session.scalars(
        select(Commitment).options(selectinload(Commitment.request))
        .where(Commitment.cooperative_id == coop.id, Commitment.municipality_id == g.municipality.id)
        .order_by(Commitment.due_on).limit(200)).all()
    size = db.session.scalar(select(func.count()).select_from(Member).where(
        Member.cooperative_id == coop.id, Member.status == MemberStatus.MEMBER))
    board = db.session.scalars(select(RoleAssignment).options(joinedload(RoleAssignment.user))
                               .where(RoleAssignment.cooperative_id == coop.id, RoleAssignment.role == Role.BOARD)
                               .order_by(RoleAssignment.board_position)).all()
    return render_template("liaison/region_coop.html", c=coop, requests=requests_, commitments=commitments,
                           size=size, board=board, stage=life_stage(coop, size or 0), STATUS_LABELS=STATUS_LABELS)


# --- the municipality's API tokens ----------------------------------------------------------------


@bp.route("/m/<municipality>/api-tokens")
@require("liaison")
def muni_api_tokens():
    from coop.api.views import ApiTokenForm

    return _tokens_page(ApiTokenForm())


def _tokens_page(form, status: int = 200):
    from coop.api import bp as api_bp
    from coop.api import tokens

    return render_template("liaison/api_tokens.html", form=form,
                           tokens=tokens.tokens_of(municipality=g.municipality),
                           api_base=request.url_root.rstrip("/") + api_bp.url_prefix), status


@bp.route("/m/<municipality>/api-tokens/new", methods=["POST"])
@require("liaison")
def create_muni_api_token():
    from coop.api import bp as api_bp
    from coop.api import tokens
    from coop.api.views import ApiTokenForm

    form = ApiTokenForm()
    created: list = []
    if form.validate_on_submit() and attempt(form, lambda: created.append(tokens.create_token(
            form.name.data, actor=current_user, municipality=g.municipality))):
        token, secret = created[0]
        return render_template(
            "api/token_created.html", token=token, secret=secret,
            example_url=(f"{request.url_root.rstrip('/')}{api_bp.url_prefix}/municipalities/"
                         f"{g.municipality.slug}/requests"),
            back_url=url_for("liaison.muni_api_tokens"))
    return _tokens_page(form, 400)


@bp.route("/m/<municipality>/api-tokens/revoke", methods=["POST"])
@require("liaison")
def revoke_muni_api_token():
    from coop.api import tokens
    from coop.api.models import ApiToken
    from coop.api.views import RevokeTokenForm

    form = RevokeTokenForm()
    token_id = form.token_id.data or ""
    if not form.validate_on_submit() or not token_id.isdecimal() or len(token_id) > 12:
        flash(_("Choose a token to revoke."), "error")
        return redirect(url_for("liaison.muni_api_tokens"))
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == int(token_id),
                                                     ApiToken.municipality_id == g.municipality.id)) or abort(404)
    if attempt(form, lambda: tokens.revoke_token(token, actor=current_user)):
        flash(_("The token “%(name)s” has been revoked; programs using it no longer have access.",
                name=token.name), "success")
    else:
        flash(" ".join(form.form_errors), "error")
    return redirect(url_for("liaison.muni_api_tokens"))
