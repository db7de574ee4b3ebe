"""Board pages for the register's import (CSV/XLSX) and exports (CSV, XLSX, address labels and
the letter list as PDF). The member list links to them; they have no menu entry of their own.
"""
from __future__ import annotations

import json
from datetime import date

from flask import (Response, flash, g, make_response, redirect, render_template, request,
                   send_file, stream_with_context, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coop.core import audit
from coop.core.db import scoped
from coop.core.errors import render_error
from coop.core.forms import attempt, form_status
from coop.core.permissions import require
from coop.extensions import db
from coop.members import bp, exporting, importing
from coop.members.forms_import import ActionForm, UploadForm, mapping_form
from coop.members.importing import (MAPPABLE, MAX_UPLOAD_BYTES, TARGET_FIELDS, ImportJob,
                                    ImportStatus)
from coop.members.queries import MemberFilter

#: Errors shown per page on the job page.
ERRORS_PER_PAGE = 200
#: Multipart overhead allowed on top of the file itself.
_MULTIPART_SLACK = 64 * 1024


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _filename(kind: str, ext: str) -> str:
    return f"{g.coop.slug}-{kind}-{date.today().isoformat()}.{ext}"


# --- exports -----------------------------------------------------------------------------------


@bp.route("/c/<coop>/members/export.csv")
@require("board")
def export_csv():
    f = MemberFilter.from_args(request.args)
    coop_id, filename = g.coop.id, _filename("members", "csv")
    exporting.audit_export(g.coop, f, actor=current_user, kind="csv",
                           rows=exporting.count_rows(coop_id, f))
    db.session.commit()  # the audit entry stays even if the download is broken off
    response = Response(stream_with_context(exporting.csv_stream(coop_id, f)),
                        content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _no_store(response)


@bp.route("/c/<coop>/members/export.xlsx")
@require("board")
def export_xlsx():
    f = MemberFilter.from_args(request.args)
    coop_id = g.coop.id
    filename = _filename("members", "xlsx")
    handle = exporting.xlsx_file(coop_id, f)
    exporting.audit_export(g.coop, f, actor=current_user, kind="xlsx",
                           rows=exporting.count_rows(coop_id, f))
    db.session.commit()
    response = send_file(handle, as_attachment=True, download_name=filename,
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return _no_store(response)


def _pdf_response(pdf: bytes, filename: str):
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return _no_store(response)


@bp.route("/c/<coop>/members/labels.pdf")
@require("board")
def labels_pdf():
    filename = _filename("labels", "pdf")
    members = exporting.letter_members(g.coop.id)
    pdf = exporting.labels_pdf(g.coop, members)
    audit.record("members.export", actor=current_user, cooperative=g.coop, kind="labels",
                 rows=len(members))
    db.session.commit()
    return _pdf_response(pdf, filename)


@bp.route("/c/<coop>/members/letter-list.pdf")
@require("board")
def letter_list_pdf():
    filename = _filename("letter-list", "pdf")
    members = exporting.letter_members(g.coop.id)
    pdf = exporting.letter_list_pdf(g.coop, members, date.today())
    audit.record("members.export", actor=current_user, cooperative=g.coop, kind="letter_list",
                 rows=len(members))
    db.session.commit()
    return _pdf_response(pdf, filename)


# --- import ------------------------------------------------------------------------------------


def _recent_jobs():
    return db.session.scalars(
        select(ImportJob).options(selectinload(ImportJob.created_by))
        .where(ImportJob.cooperative_id == g.coop.id)
        .order_by(ImportJob.created_at.desc(), ImportJob.id.desc()).limit(10)
    ).all()


def _upload_page(form, status: int | None = None):
    return (render_template("members/import/upload.html", form=form, jobs=_recent_jobs(),
                            max_mb=MAX_UPLOAD_BYTES // (1024 * 1024), targets=TARGET_FIELDS),
            status or form_status(form))


@bp.errorhandler(413)
def _upload_too_large(error):
    """A request body over MAX_CONTENT_LENGTH is refused before it is read (also by the CSRF
    check); on the import page say so on the form instead of a bare error page."""
    if request.endpoint == "members.import_members":
        form = UploadForm(formdata=None)
        form.file.errors = [str(importing.too_large_message())]
        return _upload_page(form, 413)
    return render_error(413)


@bp.route("/c/<coop>/members/import", methods=["GET", "POST"])
@require("board")
def import_members():
    if request.method == "POST" and (request.content_length or 0) > MAX_UPLOAD_BYTES + _MULTIPART_SLACK:
        # Refused on the size the browser announces, before the body is read.
        form = UploadForm(formdata=None)
        form.file.errors = [str(importing.too_large_message())]
        return _upload_page(form, 413)
    form = UploadForm()
    created: list[ImportJob] = []
    if form.validate_on_submit() and attempt(form, lambda: created.append(importing.create_job(
            g.coop, form.file.data, actor=current_user, locale=str(get_locale() or "nl")))):
        return redirect(url_for("members.import_job", job_id=created[0].id))
    return _upload_page(form)


def _job_page(job: ImportJob, form=None, action_form=None, status: int = 200):
    if form is None and (job.status in MAPPABLE or job.is_stalled):
        form = mapping_form(job.header_list, job.mapping_dict)
    errors = job.error_list
    pages = max(1, -(-len(errors) // ERRORS_PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    shown = errors[(page - 1) * ERRORS_PER_PAGE: page * ERRORS_PER_PAGE]
    header = job.header_list
    mapping = job.mapping_dict
    response = make_response(render_template(
        "members/import/job.html", job=job, form=form, action_form=action_form or ActionForm(),
        S=ImportStatus, header=header, mapping=mapping, targets=TARGET_FIELDS,
        preview=json.loads(job.preview or "[]"), errors=shown, error_page=page, error_pages=pages,
        skipped=job.skipped_list, refresh=job.is_running and request.args.get("refresh") != "off",
    ), status)
    if job.is_running and request.args.get("refresh") != "off":
        # Reload every 2 s while the job runs: works without JavaScript and within the CSP.
        # (A header rather than <meta http-equiv="refresh">: base.html has no head block, and
        # the page offers a link that stops the refreshing, for screen-reader users.)
        response.headers["Refresh"] = "2"
    return response


@bp.route("/c/<coop>/members/import/<int:job_id>")
@require("board")
def import_job(job_id: int):
    return _job_page(scoped(ImportJob, job_id))


@bp.route("/c/<coop>/members/import/<int:job_id>/columns", methods=["POST"])
@require("board")
def map_import(job_id: int):
    job = scoped(ImportJob, job_id)
    form = mapping_form(job.header_list, job.mapping_dict, submitted=True)
    if form.validate_on_submit() and attempt(form, lambda: importing.set_mapping(
            job, form.mapping(), actor=current_user)):
        importing.launch(job, "validate")
        return redirect(url_for("members.import_job", job_id=job.id))
    return _job_page(job, form=form, status=form_status(form))


@bp.route("/c/<coop>/members/import/<int:job_id>/start", methods=["POST"])
@require("board")
def start_import(job_id: int):
    job = scoped(ImportJob, job_id)
    form = ActionForm()
    if form.validate_on_submit() and attempt(form, lambda: importing.begin_import(job, actor=current_user)):
        importing.launch(job, "import")
        return redirect(url_for("members.import_job", job_id=job.id))
    if not form.form_errors and not form.errors:
        form.form_errors.append(_("The import could not be started."))
    return _job_page(job, action_form=form, status=400)


@bp.route("/c/<coop>/members/import/<int:job_id>/cancel", methods=["POST"])
@require("board")
def cancel_import(job_id: int):
    job = scoped(ImportJob, job_id)
    form = ActionForm()
    done = job.status == ImportStatus.DONE
    if form.validate_on_submit() and attempt(form, lambda: importing.cancel_job(job, actor=current_user)):
        flash(_("The uploaded file has been deleted.") if done else
              _("The upload has been cancelled and its file deleted."), "success")
        return redirect(url_for("members.import_members"))
    return _job_page(job, action_form=form, status=form_status(form) if form.errors else 400)
