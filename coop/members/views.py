"""Board pages of the member register, and the public join form."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coop.core import nav
from coop.core.db import scoped
from coop.core.formatting import template_constants
from coop.core.forms import attempt, form_status
from coop.core.i18n import lazy_gettext as _l
from coop.core.pagination import paginate
from coop.core.permissions import public, require
from coop.extensions import db, limiter
from coop.members import bp, services
from coop.members.forms import (AppealDecisionForm, ApplicationsForm, DateForm, JoinForm, MemberForm,
                                ReasonForm)
from coop.members.models import (CHANNEL_LABELS, END_REASON_LABELS, STATUS_LABELS, Member,
                                 MemberCategory, MemberEvent, MemberStatus)
from coop.members.queries import MemberFilter, member_select

nav.add("coop", "members.list_members", _l("Members"), "board", order=20,
        also=("members.show_member", "members.new_member", "members.edit_member"))
nav.add("coop", "members.applications", _l("Applications"), "board", order=22)


EVENT_LABELS = {
    "applied": _l("Applied"), "admitted": _l("Admitted by the board"), "refused": _l("Refused by the board"),
    "admitted_by_meeting": _l("Admitted by the general meeting"), "notice_by_member": _l("Notice by the member"),
    "notice_by_coop": _l("Notice by the cooperative"), "expelled": _l("Expelled (suspended pending appeal)"),
    "appealed": _l("Appealed to the general meeting"), "appeal_upheld": _l("Appeal upheld"),
    "appeal_rejected": _l("Appeal rejected"), "expulsion_final": _l("Expulsion final"), "death": _l("Died"),
    "imported": _l("Imported"),
}


template_constants(bp, STATUS_LABELS=STATUS_LABELS, MAIL_CHANNEL_LABELS=CHANNEL_LABELS,
                   END_REASON_LABELS=END_REASON_LABELS, MemberStatus=MemberStatus, EVENT_LABELS=EVENT_LABELS)


def _categories():
    return db.session.scalars(
        select(MemberCategory).where(MemberCategory.cooperative_id == g.coop.id).order_by(MemberCategory.name)
    ).all()


def _member_form(**kw) -> MemberForm:
    from coop.orgs.models import DOMAIN_LABELS

    form = MemberForm(**kw)
    form.category_id.choices = [("", _("None"))] + [(c.id, c.name) for c in _categories()]
    form.domains.choices = [(d.value, DOMAIN_LABELS[d]) for d in g.coop.domains]
    if len(g.coop.domains) < 2:
        del form.domains  # one domain: nothing to choose
    return form


def _form_data(form: MemberForm) -> dict:
    return {name: form[name].data for name in services.MEMBER_FIELDS if name in form}


#: The member list counts up to this many (then says "more than").
LIST_COUNT_CAP = 1_000


# --- list --------------------------------------------------------------------------------------


@bp.route("/c/<coop>/members/")
@require("board")
def list_members():
    f = MemberFilter.from_args(request.args)
    page = paginate(member_select(g.coop.id, f), cap=LIST_COUNT_CAP)
    # Open applications are few: counted through the (cooperative, status) index.
    applicants = db.session.scalar(select(func.count()).select_from(Member).where(
        Member.cooperative_id == g.coop.id, Member.status == MemberStatus.APPLICANT))
    return render_template("members/list.html", page=page, f=f, applicants=applicants,
                           # translated once, not once per row
                           status_names={k: str(v) for k, v in STATUS_LABELS.items()},
                           channel_names={k: str(v) for k, v in CHANNEL_LABELS.items()})


# --- one member --------------------------------------------------------------------------------


@bp.route("/c/<coop>/members/<int:member_id>")
@require("board")
def show_member(member_id: int):
    member = scoped(Member, member_id)
    history = db.session.scalars(
        select(MemberEvent).options(selectinload(MemberEvent.actor))
        .where(MemberEvent.member_id == member.id).order_by(MemberEvent.effective_on.desc(), MemberEvent.id.desc())
    ).all()
    return render_template("members/show.html", member=member, history=history,
                           reason_form=ReasonForm(), date_form=DateForm(), appeal_form=AppealDecisionForm())


@bp.route("/c/<coop>/members/new", methods=["GET", "POST"])
@require("board")
def new_member():
    form = _member_form()
    duplicates = []
    created = []

    def create():
        try:
            created.append(services.create_member(
                g.coop, {**_form_data(form), "channel": form.channel.data}, actor=current_user,
                confirm_duplicate=form.confirm_duplicate.data == "yes",
                email_consent=form.email_consent.data))
        except services.DuplicateWarning as warning:
            duplicates.extend(warning.duplicates)
            raise

    if form.validate_on_submit() and attempt(form, create):
        flash(_("%(name)s has been registered with number %(number)s.", name=created[0].full_name,
                number=created[0].number), "success")
        return redirect(url_for("members.show_member", member_id=created[0].id))
    if duplicates:
        form.confirm_duplicate.data = "yes"
    return render_template("members/edit.html", form=form, member=None, duplicates=duplicates), form_status(form)


@bp.route("/c/<coop>/members/<int:member_id>/edit", methods=["GET", "POST"])
@require("board")
def edit_member(member_id: int):
    member = scoped(Member, member_id)
    if member.erased_at:
        abort(404)
    form = _member_form(obj=member)
    if request.method == "GET":
        form.email_consent.data = member.email_consent_at is not None
        form.channel.data = member.channel.value
        if "domains" in form:
            form.domains.data = [d.value for d in member.domains]
    if form.validate_on_submit() and attempt(form, lambda: services.update_member(
            member, {**_form_data(form), "channel": form.channel.data}, actor=current_user,
            email_consent=form.email_consent.data)):
        flash(_("The changes have been saved."), "success")
        return redirect(url_for("members.show_member", member_id=member.id))
    return render_template("members/edit.html", form=form, member=member, duplicates=[]), form_status(form)


def _lifecycle(member_id: int, form_cls, action, message):
    """POST of one lifecycle step from the member page: run it, or show why not."""
    member = scoped(Member, member_id)
    form = form_cls()
    if form.validate_on_submit() and attempt(form, lambda: action(member, form)):
        flash(message(member) if callable(message) else message, "success")
    else:
        for error in form.form_errors + [e for f in form for e in f.errors]:
            flash(error, "error")
    return redirect(url_for("members.show_member", member_id=member.id))


@bp.route("/c/<coop>/members/<int:member_id>/admit", methods=["POST"])
@require("board")
def admit_member(member_id: int):
    return _lifecycle(member_id, ReasonForm, lambda m, f: services.admit(
        m, actor=current_user, by_meeting=m.status == MemberStatus.REFUSED, reason=f.reason.data),
        lambda m: _("Admitted with number %(number)s.", number=m.number))


@bp.route("/c/<coop>/members/<int:member_id>/notice", methods=["POST"])
@require("board")
def give_notice(member_id: int):
    by_member = request.form.get("by") == "member"
    return _lifecycle(member_id, ReasonForm, lambda m, f: services.give_notice(
        m, by_member=by_member, actor=current_user, reason=f.reason.data),
        lambda m: _("The membership ends on %(day)s.", day=m.leaves_on.strftime("%d-%m-%Y")))


@bp.route("/c/<coop>/members/<int:member_id>/expel", methods=["POST"])
@require("board")
def expel_member(member_id: int):
    return _lifecycle(member_id, ReasonForm, lambda m, f: services.expel(
        m, actor=current_user, reasons=f.reason.data),
        lambda m: _("The member is suspended; an appeal is possible until %(day)s.",
                    day=m.appeal_until.strftime("%d-%m-%Y")))


@bp.route("/c/<coop>/members/<int:member_id>/appeal", methods=["POST"])
@require("board")
def record_appeal(member_id: int):
    return _lifecycle(member_id, ReasonForm, lambda m, f: services.record_appeal(m, actor=current_user),
                      _l("The appeal has been recorded; the general meeting decides."))


@bp.route("/c/<coop>/members/<int:member_id>/appeal-decision", methods=["POST"])
@require("board")
def decide_appeal(member_id: int):
    return _lifecycle(member_id, AppealDecisionForm, lambda m, f: services.decide_appeal(
        m, upheld=f.decision.data == "upheld", actor=current_user, reason=f.reason.data),
        _l("The decision of the general meeting has been recorded."))


@bp.route("/c/<coop>/members/<int:member_id>/expulsion-final", methods=["POST"])
@require("board")
def finalise_expulsion(member_id: int):
    return _lifecycle(member_id, ReasonForm, lambda m, f: services.finalise_expulsion(m, actor=current_user),
                      _l("The expulsion is final."))


@bp.route("/c/<coop>/members/<int:member_id>/death", methods=["POST"])
@require("board")
def record_death(member_id: int):
    return _lifecycle(member_id, DateForm, lambda m, f: services.record_death(
        m, died_on=f.day.data, actor=current_user), _l("The death has been recorded."))


# --- applications ------------------------------------------------------------------------------


@bp.route("/c/<coop>/members/applications", methods=["GET", "POST"])
@require("board")
def applications():
    form = ApplicationsForm()
    ids = [int(i) for i in request.form.getlist("member_id") if i.isdigit()]
    action = request.form.get("action")
    done = []
    if form.validate_on_submit():
        if action == "admit":
            ok = attempt(form, lambda: done.extend(services.admit_applicants(g.coop, ids, actor=current_user)))
            message = ngettext("%(num)d applicant admitted; with an e-mail address they got a welcome.",
                               "%(num)d applicants admitted; those with an e-mail address got a welcome.",
                               len(done))
        else:
            ok = attempt(form, lambda: done.extend(services.refuse_applicants(
                g.coop, ids, actor=current_user, reason=form.reason.data)))
            message = ngettext("%(num)d application refused.", "%(num)d applications refused.", len(done))
        if ok:
            flash(message, "success")
            return redirect(url_for("members.applications"))
    page = paginate(select(Member).where(Member.cooperative_id == g.coop.id,
                                         Member.status == MemberStatus.APPLICANT).order_by(Member.applied_on, Member.id))
    refused = db.session.scalar(select(func.count()).select_from(Member).where(
        Member.cooperative_id == g.coop.id, Member.status == MemberStatus.REFUSED))
    return render_template("members/applications.html", page=page, form=form, refused=refused,
                           selected=set(ids)), form_status(form)


# --- join form (public) ------------------------------------------------------------------------


@bp.route("/c/<coop>/join", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], scope="join")
@public
def join():
    form = JoinForm()
    data = {k: form[k].data for k in ("first_name", "name_prefix", "last_name", "street", "house_number",
                                       "postcode", "city", "email", "phone", "born_on")}
    from flask_babel import get_locale

    if form.validate_on_submit() and attempt(form, lambda: services.apply_to_join(
            g.coop, data, email_consent=form.email_consent.data, locale=str(get_locale()))):
        return render_template("members/joined.html", email=form.email.data)
    return render_template("members/join.html", form=form), form_status(form)


