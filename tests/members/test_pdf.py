"""PDF documents: nothing fetched from outside the static folder, and the share statement says
what it should (read back with pdftotext)."""
from __future__ import annotations

import shutil
import socket
import subprocess
from datetime import date

import pytest

from coop.core import pdf
from coop.members import capital, services

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                         check=True)
    return out.stdout.decode("utf-8")


# --- the URL fetcher ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://example.org/x.png",
    "https://example.org/x.css",
    "ftp://example.org/x",
    "data:image/png;base64,iVBORw0KGgo=",
    pdf.STATIC_ROOT.as_uri() + "/../../etc/passwd",
    pdf.STATIC_ROOT.as_uri() + "/../__init__.py",
    pdf.STATIC_ROOT.as_uri() + "/%2e%2e/__init__.py",
    "file://evil.example" + str(pdf.STATIC_ROOT / "css/app.css"),
    pdf.STATIC_ROOT.as_uri() + "/css/missing.css",
])
def test_fetcher_refuses_everything_but_the_static_files(url):
    fetcher = pdf.static_url_fetcher()
    with pytest.raises(Exception) as e:
        fetcher.fetch(url)
    assert not isinstance(e.value, AssertionError)
    with pytest.raises(pdf.ResourceRefused):
        pdf.static_path_for(url)


def test_fetcher_serves_the_apps_own_static_files():
    response = pdf.static_url_fetcher().fetch((pdf.STATIC_ROOT / "css" / "app.css").as_uri())
    assert response.content_type == "text/css"
    assert b"WCAG" in response.read()


def test_rendering_never_touches_the_network(app, monkeypatch, tmp_path):
    """A document naming remote or local files renders without fetching them."""
    attempts = []

    def no_network(self, address, *args):
        attempts.append(address)
        raise OSError("no network in PDF rendering")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    template = tmp_path / "doc.html"
    template.write_text(
        '{% extends "pdf/base.html" %}{% block head %}'
        '<link rel="stylesheet" href="http://example.org/x.css">{% endblock %}'
        '{% block content %}<h1>Hello PDF</h1>'
        '<img src="http://example.org/x.png" alt="">'
        f'<img src="file:///etc/passwd" alt=""><iframe src="{secret.as_uri()}"></iframe>'
        f'<object data="{secret.as_uri()}"></object>'
        '<img src="favicon.svg" alt="logo">{% endblock %}')
    from jinja2 import ChoiceLoader, FileSystemLoader

    loader = app.jinja_loader
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([FileSystemLoader(str(tmp_path)), loader]))
    with app.test_request_context():
        text = pdf_text(pdf.render_pdf("doc.html"))
    assert "Hello PDF" in text
    assert "TOP-SECRET-CONTENT" not in text
    assert attempts == []


def test_css_strings_cannot_be_broken_out_of():
    assert pdf.css_string('a"b\\c}') == '"a\\22 b\\5c c\\7d "'


def test_page_label_is_translated_around_counters(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert pdf.page_label_css() == '"page " counter(page) " of " counter(pages)'


# --- the share statement --------------------------------------------------------------------------


@pytest.fixture
def statement_world(db, world, make_member):
    coop = world.coop_a
    st = capital.create_share_type(coop, {"name": "Zonnedeel", "nominal_cents": 5000,
                                          "min_per_member": 1, "max_per_member": 40}, actor=None)
    anna = world.record_a
    bert = world.record_board_a
    for member, qty, on in ((anna, 10, date(2023, 2, 1)), (bert, 2, date(2023, 3, 1)),
                            (anna, 5, date(2025, 2, 1))):
        capital.approve_transaction(capital.propose_transaction(
            coop, kind="issue", share_type=st, member=member, quantity=qty, effective_on=on,
            actor=None), actor=None)
    capital.approve_transaction(capital.propose_transaction(
        coop, kind="transfer", share_type=st, member=anna, counterparty=bert, quantity=3,
        effective_on=date(2024, 6, 1), actor=None), actor=None)
    # a proposal that is not approved never appears
    capital.propose_transaction(coop, kind="issue", share_type=st, member=anna, quantity=7,
                                effective_on=date(2024, 1, 1), actor=None)
    db.session.commit()
    return world


def test_statement_pdf_says_what_it_should(app, statement_world):
    w = statement_world
    anna = w.record_a
    with app.test_request_context(headers={"Accept-Language": "en"}):
        text = pdf_text(capital.statement_pdf(anna, date(2024, 12, 31)))
    flat = " ".join(text.split())
    assert "Coöperatie A" in text
    assert f"KvK number {w.coop_a.kvk_number}" in flat
    assert "Anna Jansen" in text
    assert f"Member number {anna.number}" in flat
    for line in anna.address_lines:
        assert " ".join(line.split()) in flat
    assert "December 31, 2024" in flat  # holdings as of
    assert f"Date of issue {capital.today().strftime('%B')}" in flat
    # holdings on 31 December 2024: 10 issued − 3 transferred = 7 × € 50 = € 350
    assert "Zonnedeel 7 €50.00 €350.00" in flat
    # the transactions up to the date, seen from Anna; not the 2025 issue, not the proposal
    assert f"Transfer to member {w.record_board_a.number}" in flat
    assert "+10" in flat and "−3" in flat
    assert "+5" not in flat and "+7" not in flat
    assert "page 1 of 1" in flat


def test_statement_in_dutch_without_a_request(app, statement_world):
    """With a locale the statement renders outside a request too (CLI, batch mailing)."""
    from flask import has_request_context

    w = statement_world
    assert not has_request_context()
    text = pdf_text(capital.statement_pdf(w.record_board_a, date(2024, 12, 31), locale="nl"))
    flat = " ".join(text.split())
    assert "31 december 2024" in flat
    assert "€ 250,00" in flat  # 2 + 3 = 5 × € 50


def test_a_long_statement_runs_over_pages_with_numbers(app, db, world):
    coop = world.coop_a
    st = capital.create_share_type(coop, {"name": "Klein", "nominal_cents": 100}, actor=None)
    for day in range(1, 29):
        for month in range(1, 4):
            capital.approve_transaction(capital.propose_transaction(
                coop, kind="issue", share_type=st, member=world.record_a, quantity=1,
                effective_on=date(2024, month, day), actor=None), actor=None)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        text = pdf_text(capital.statement_pdf(world.record_a, date(2024, 12, 31)))
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) >= 2
    assert "page 1 of " in pages[0] and "Coöperatie A" in pages[1]


def test_statement_route(client, statement_world, login_as):
    w = statement_world
    login_as(client, w.board_a)
    r = client.get(f"/c/coop-a/members/{w.record_a.id}/statement.pdf?year=2023")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["Cache-Control"] == "no-store"
    assert "Jansen" not in r.headers["Content-Disposition"]
    flat = " ".join(pdf_text(r.data).split())
    assert "Zonnedeel 10" in flat  # 31 December 2023: before the transfer
    assert client.get(f"/c/coop-a/members/{w.record_a.id}/statement.pdf?as_of=nonsense").status_code == 400
    login_as(client, w.member_a)
    assert client.get(f"/c/coop-a/members/{w.record_a.id}/statement.pdf").status_code == 403


def test_statement_of_a_member_without_shares(app, world, make_member):
    m = make_member(world.coop_a)
    services.give_notice(m, by_member=True, actor=None)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        flat = " ".join(pdf_text(capital.statement_pdf(m)).split())
    assert "held no shares" in flat and "No transactions" in flat
