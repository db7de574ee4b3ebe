"""Exports of the register: CSV and XLSX (filters of the list, formula injection written as text,
audited), address labels and the letter list (PDF) for members who receive post."""
from __future__ import annotations

import csv
import io
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from coop.core.audit import AuditEntry
from coop.members.models import Channel, MemberStatus

INJECTION = "=cmd|' /C calc'!A0"


@pytest.fixture
def board(client, world, login_as):
    login_as(client, world.board_a)
    return client


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def pdf_pages(data: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def last_export_entry(db):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "members.export")
                              .order_by(AuditEntry.id.desc()).limit(1)).first()


# --- CSV ------------------------------------------------------------------------------------------


def test_csv_is_excel_friendly_with_every_column(board, db, world, make_member):
    make_member(world.coop_a, first_name="Hélène", name_prefix="van der", last_name="Bergé",
                email="helene@example.nl", phone="050-1234567", born_on=date(1960, 2, 1),
                household="Bergé-Smit", on=date(2015, 3, 15)).channel = Channel.EMAIL
    db.session.commit()
    r = board.get("/c/coop-a/members/export.csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"].startswith('attachment; filename="coop-a-members-')
    assert r.headers["Cache-Control"] == "no-store"
    rows = read_csv(r.data)
    assert rows[0] == ["Membership number", "Status", "First name", "Prefix (tussenvoegsel)", "Last name",
                       "Street", "House number", "Postcode", "City", "E-mail address", "Phone",
                       "Date of birth", "Channel", "Category", "Member since", "Household"]
    helene = next(row for row in rows if row[2] == "Hélène")
    assert helene[1] == "Member" and helene[3:5] == ["van der", "Bergé"]
    assert helene[9:12] == ["helene@example.nl", "050-1234567", "1960-02-01"]
    assert helene[12] == "E-mail" and helene[14] == "2015-03-15" and helene[15] == "Bergé-Smit"


def test_csv_honours_the_lists_search_and_filters(board, db, world, make_member):
    make_member(world.coop_a, first_name="Applicant", last_name="Waiting", status=MemberStatus.APPLICANT)
    make_member(world.coop_a, first_name="Zeta", last_name="Zwart", postcode="1234 AB")
    db.session.commit()

    def names(query):
        return [row[2] for row in read_csv(board.get("/c/coop-a/members/export.csv" + query).data)[1:]]

    assert "Applicant" not in names("")  # current members by default, as the list
    assert "Applicant" in names("?status=all")
    assert names("?status=applicant") == ["Applicant"]
    assert names("?q=zwart") == ["Zeta"]
    assert names("?q=1234ab") == ["Zeta"]
    assert names("?channel=letter") == ["Bert", "Anna", "Zeta"]  # by surname
    world.record_a.channel = Channel.EMAIL
    db.session.commit()
    assert names("?channel=email") == ["Anna"]
    assert names("?sort=number&dir=desc")[0] == "Zeta"
    assert "Cor" not in names("?status=all")  # cooperative B's member


def test_csv_writes_formulas_as_text(board, db, world, make_member):
    make_member(world.coop_a, first_name=INJECTION, last_name="@SUM(A1:A9)", street="-2+3",
                phone="+31612345678", household="=HYPERLINK(\"http://x\")", city="Normaal")
    db.session.commit()
    rows = read_csv(board.get("/c/coop-a/members/export.csv").data)
    row = next(r for r in rows if r[8] == "Normaal")
    assert row[2] == "'" + INJECTION
    assert row[4] == "'@SUM(A1:A9)" and row[5] == "'-2+3" and row[10] == "'+31612345678"
    assert row[15] == "'=HYPERLINK(\"http://x\")"
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_each_export_is_audited_without_personal_data(board, db, world):
    board.get("/c/coop-a/members/export.csv?q=Jansen&status=all&channel=letter")
    entry = last_export_entry(db)
    assert entry.actor_id == world.board_a.id and entry.cooperative_id == world.coop_a.id
    details = entry.details_dict
    assert details["kind"] == "csv" and details["rows"] == 1  # Anna Jansen
    assert details["status"] == "all" and details["channel"] == "letter" and details["searched"] is True
    assert "Jansen" not in entry.details
    board.get("/c/coop-a/members/export.xlsx")
    entry = last_export_entry(db)
    assert entry.details_dict["kind"] == "xlsx" and entry.details_dict["rows"] == 2


# --- XLSX -----------------------------------------------------------------------------------------


def test_xlsx_has_text_cells_for_formulas_and_real_dates(board, db, world, make_member):
    from openpyxl import load_workbook

    make_member(world.coop_a, first_name=INJECTION, last_name="=1+1", phone="+31612345678",
                born_on=date(1970, 5, 6), city="Normaal", on=date(2019, 1, 2))
    db.session.commit()
    r = board.get("/c/coop-a/members/export.xlsx")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r.headers["Cache-Control"] == "no-store"
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows())
    assert [c.value for c in rows[0]][:3] == ["Membership number", "Status", "First name"]
    row = next(r for r in rows if r[8].value == "Normaal")
    for cell in (row[2], row[4], row[10]):
        assert cell.data_type == "s", cell.value  # a string, never a formula
        assert cell.quotePrefix
    assert (row[2].value, row[4].value, row[10].value) == (INJECTION, "=1+1", "+31612345678")
    assert isinstance(row[0].value, int)
    assert row[11].value.date() == date(1970, 5, 6) and row[14].value.date() == date(2019, 1, 2)
    assert row[1].value == "Member" and row[12].value == "Letter"


# --- labels and letter list -----------------------------------------------------------------------


def _post_members(world, make_member, db):
    letter = make_member(world.coop_a, first_name="Piet", last_name="Post", street="Brink",
                         house_number="9", postcode="1111 AA", city="Assen")
    later = make_member(world.coop_a, first_name="Greet", last_name="Later", street="Markt",
                        house_number="2", postcode="9999 ZZ", city="Zwolle")
    mailer = make_member(world.coop_a, first_name="Evi", last_name="Email", email="evi@example.nl",
                         postcode="1111 AB", city="Assen")
    mailer.channel = Channel.EMAIL
    gone = make_member(world.coop_a, first_name="Oud", last_name="Lid", postcode="1111 AC", city="Assen")
    gone.status = MemberStatus.FORMER
    db.session.commit()
    return letter, later, mailer, gone


def test_labels_are_for_current_members_who_receive_post(board, db, world, make_member):
    _post_members(world, make_member, db)
    r = board.get("/c/coop-a/members/labels.pdf")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    text = pdf_text(r.data)
    assert "Piet Post" in text and "1111 AA ASSEN" in text and "Brink 9" in text
    assert "Greet Later" in text
    assert "Evi Email" not in text  # e-mail channel
    assert "Oud Lid" not in text  # no longer a member
    assert "Cor" not in text  # cooperative B
    assert text.index("Piet Post") < text.index("Greet Later")  # postcode order
    # with the members of the test world, who receive post too
    assert "Anna Jansen" in text and "Bert Bakker" in text
    assert last_export_entry(db).details_dict == {"kind": "labels", "rows": 4}


def test_labels_fill_sheets_of_24(board, db, world, make_member):
    for i in range(25):
        make_member(world.coop_a, first_name=f"Lid{i:02d}", last_name="Brief", postcode=f"{1000 + i} AA",
                    city="Utrecht")
    db.session.commit()
    assert pdf_pages(board.get("/c/coop-a/members/labels.pdf").data) == 2


def test_letter_list_shows_number_name_and_address(board, db, world, make_member):
    letter, later, mailer, gone = _post_members(world, make_member, db)
    r = board.get("/c/coop-a/members/letter-list.pdf")
    assert r.status_code == 200
    text = pdf_text(r.data)
    assert "Members who receive their mail by letter" in text
    line = next(line for line in text.splitlines() if "Piet Post" in line)
    assert str(letter.number) in line and "Brink 9" in line
    assert "Greet Later" in text
    assert "Evi Email" not in text and "Oud Lid" not in text
    assert last_export_entry(db).details_dict == {"kind": "letter_list", "rows": 4}


# --- queries and access ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/c/coop-a/members/export.csv", "/c/coop-a/members/export.xlsx",
                                 "/c/coop-a/members/labels.pdf", "/c/coop-a/members/letter-list.pdf"])
def test_export_queries_do_not_grow_with_the_register(board, db, world, make_member, count_queries, url):
    def grow(n):
        for i in range(n):
            make_member(world.coop_a, first_name=f"Extra{i}", last_name="Lid", postcode="9711 AB")
        db.session.commit()

    def queries():
        with count_queries() as q:
            r = board.get(url)
            assert r.status_code == 200
            r.get_data()  # a streamed body is read (and queried) here
        return q.count

    grow(3)
    small = queries()
    grow(40)
    assert queries() == small
    assert small <= 12


def test_only_the_board_exports(client, world, login_as):
    login_as(client, world.member_a)
    assert client.get("/c/coop-a/members/export.csv").status_code == 403
    login_as(client, world.board_b)
    assert client.get("/c/coop-a/members/labels.pdf").status_code == 404
