"""``GET /api/v1/coops/<coop>/reports/<year>``: a machine-readable summary of a published
annual report that the board made public. The figures are public data, already on the
transparency page, so the endpoint needs no token (documented with ``security: []``)."""
from __future__ import annotations

import json

from flask import abort, jsonify
from sqlalchemy import select

from coop.accountability import documents, services
from coop.api import bp
from coop.api.openapi import TAGS, add_path, json_response, ref
from coop.core.permissions import public
from coop.extensions import db
from coop.orgs.models import Cooperative


@bp.route("/coops/<coop_slug>/reports/<int:year>")
@public
def report_summary(coop_slug: str, year: int):
    coop = db.session.scalar(select(Cooperative).where(Cooperative.slug == coop_slug))
    report = services.report_for(coop, year) if coop is not None and 1800 <= year <= 9999 else None
    if report is None or not report.is_published or not report.is_public:
        abort(404)
    data = json.loads(report.snapshot_json)
    return jsonify({
        "cooperative": data["cooperative"], "year": data["year"],
        "published_on": data.get("published_on"), "pdf_sha256": report.pdf_sha256,
        "figures_sha256": report.snapshot_sha256,
        "figures": [{"section": s, "figure": n, "value": v} for s, n, v in documents.figures_rows(data)],
    })


_FIGURE = {"type": "object", "required": ["section", "figure", "value"], "properties": {
    "section": {"type": "string"}, "figure": {"type": "string"},
    "value": {"type": ["number", "null"]}}}

add_path("/coops/{coop}/reports/{year}", {"get": {
    "operationId": "getAnnualReportSummary",
    "summary": "The figures of a published annual report that the cooperative made public.",
    "description": ("Public: no token needed (the same figures are on the cooperative's transparency "
                    "page). Reports that are drafts, or published for members only, answer 404. The "
                    "figures are frozen when the report is published; the SHA-256 of the PDF and of the "
                    "figures are given so that copies can be checked."),
    "tags": ["reports"], "security": [],
    "parameters": [ref("parameters", "coop"),
                   {"name": "year", "in": "path", "required": True, "schema": {"type": "integer",
                                                                                "minimum": 1800, "maximum": 9999}}],
    "responses": {
        "200": json_response("The summary.", ref("schemas", "AnnualReportSummary")),
        "404": json_response("No public report for that cooperative and year.", ref("schemas", "Error")),
    },
}}, schemas={"AnnualReportSummary": {
    "type": "object", "required": ["cooperative", "year", "published_on", "pdf_sha256", "figures_sha256", "figures"],
    "properties": {
        "cooperative": {"type": "object", "properties": {"name": {"type": "string"}, "slug": {"type": "string"},
                                                         "kvk_number": {"type": "string"}}},
        "year": {"type": "integer"}, "published_on": {"type": ["string", "null"], "format": "date"},
        "pdf_sha256": {"type": "string"}, "figures_sha256": {"type": "string"},
        "figures": {"type": "array", "items": _FIGURE}}}})
TAGS.append({"name": "reports", "description": "Published annual reports that a cooperative made public."})
