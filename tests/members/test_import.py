"""Importing a member register from CSV or XLSX: what the board uploads, sees and gets.

Jobs run synchronously here (``IMPORT_SYNC``), so each request finishes its step.
"""
from __future__ import annotations

import io
import json
import os
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coop.core.audit import AuditEntry
from coop.members.importing import ImportJob, ImportStatus
from coop.members.models import Channel, Member, MemberEvent, MemberStatus

DATA = Path(__file__).parent / "data"
URL = "/c/coop-a/members/import"


@pytest.fixture(autouse=True)
def sync_jobs(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "IMPORT_SYNC", True)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads" / "imports"


@pytest.fixture
def board(client, world, login_as):
    login_as(client, world.board_a)
    return client


def upload(client, name: str, content: bytes, url: str = URL):
    return client.post(url, data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def job_from(response, db) -> ImportJob:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    job_id = int(re.search(r"/import/(\d+)$", response.headers["Location"]).group(1))
    db.session.expire_all()
    return db.session.get(ImportJob, job_id)


def submit_mapping(client, job: ImportJob, mapping: dict | None = None):
    mapping = job.mapping_dict if mapping is None else mapping
    return client.post(f"{URL}/{job.id}/columns", data={k: str(v) for k, v in mapping.items()})


def run_all(client, db, name: str, content: bytes) -> ImportJob:
    """Upload, keep the guessed columns, check and import; returns the finished job."""
    job = job_from(upload(client, name, content), db)
    r = submit_mapping(client, job)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.READY, job.errors
    r = client.post(f"{URL}/{job.id}/start")
    assert r.status_code == 302
    db.session.expire_all()
    return db.session.get(ImportJob, job.id)


def members_of(db, coop) -> list[Member]:
    return list(db.session.scalars(select(Member).where(Member.cooperative_id == coop.id)
                                   .order_by(Member.number)))


def count_members(db, coop) -> int:
    return db.session.scalar(select(func.count()).select_from(Member).where(Member.cooperative_id == coop.id))


def xlsx_bytes(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- encodings, separators, formats ------------------------------------------------------------


def test_windows_1252_with_semicolons_is_read_and_says_so(board, db, world):
    content = (DATA / "register_cp1252_semicolon.csv").read_bytes()
    job = job_from(upload(board, "leden.csv", content), db)
    assert (job.kind, job.encoding, job.delimiter, job.total_rows) == ("csv", "cp1252", ";", 3)
    page = board.get(f"{URL}/{job.id}").get_data(as_text=True)
    assert "Windows-1252" in page and "semicolon" in page
    assert "Hélène" in page and "Zoë" in page and "Loïs" in page  # the preview
    # Dutch headers were recognised
    assert job.mapping_dict == {"number": 0, "first_name": 1, "name_prefix": 2, "last_name": 3,
                                "street": 4, "house_number": 5, "postcode": 6, "city": 7, "email": 8,
                                "phone": 9, "born_on": 10, "admitted_on": 11, "iban": 12}
    before = count_members(db, world.coop_a)
    job = run_all(board, db, "leden.csv", content)
    assert job.status == ImportStatus.DONE and job.imported_count == 3
    assert count_members(db, world.coop_a) == before + 3
    by_first = {m.first_name: m for m in members_of(db, world.coop_a)}
    helene = by_first["Hélène"]
    assert (helene.name_prefix, helene.last_name, helene.postcode, helene.email) == \
        ("van der", "Bergé", "9711 AB", "helene@example.nl")
    assert helene.born_on == date(1960, 2, 1) and helene.admitted_on == date(2015, 3, 15)
    assert helene.iban == "NL91ABNA0417164300"
    assert helene.status == MemberStatus.MEMBER and helene.channel == Channel.LETTER
    assert by_first["Zoë"].born_on == date(1975, 7, 31)
    assert by_first["Zoë"].admitted_on == date.today()  # no date: admitted today
    assert by_first["Loïs"].city == "Haren"


def test_utf8_with_bom_and_commas(board, db, world):
    content = (DATA / "register_utf8_bom_comma.csv").read_bytes()
    job = job_from(upload(board, "members.csv", content), db)
    assert (job.encoding, job.delimiter) == ("utf-8-sig", ",")
    assert job.header_list[0] == "First name"  # no BOM left in the first column name
    assert "UTF-8 (BOM)" in board.get(f"{URL}/{job.id}").get_data(as_text=True)
    job = run_all(board, db, "members.csv", content)
    assert job.imported_count == 2
    bram = next(m for m in members_of(db, world.coop_a) if m.first_name == "Bram")
    assert bram.last_name == "Visser, jr."  # a quoted comma stays in the value
    assert bram.admitted_on == date(2021, 9, 30)


def test_xlsx_made_with_openpyxl(board, db, world):
    content = xlsx_bytes([
        ["Lidnummer", "Voornaam", "Achternaam", "Postcode", "Huisnummer", "Geboortedatum", "Lid sinds", "Telefoon"],
        [501, "Fenna", "Kramer", "9711AB", 12, date(1990, 12, 24), date(2018, 4, 1), "0612345678"],
        [None, None, None, None, None, None, None, None],  # an empty row is ignored
        [502.0, "Gert", "Mulder", "9712 AB", "7b", "24-12-1991", "2019-01-01", None],
    ])
    job = job_from(upload(board, "register.xlsx", content), db)
    assert job.kind == "xlsx"
    job = run_all(board, db, "register.xlsx", content)
    assert job.imported_count == 2 and job.total_rows == 2
    fenna = next(m for m in members_of(db, world.coop_a) if m.first_name == "Fenna")
    assert (fenna.number, fenna.born_on, fenna.admitted_on, fenna.house_number, fenna.phone) == \
        (501, date(1990, 12, 24), date(2018, 4, 1), "12", "0612345678")
    gert = next(m for m in members_of(db, world.coop_a) if m.first_name == "Gert")
    assert gert.number == 502 and gert.born_on == date(1991, 12, 24)


def test_xlsx_formulas_are_never_evaluated(board, db, world):
    # openpyxl stores a formula without a cached result: the import sees an empty cell (the
    # workbook is read with data_only, so only a spreadsheet's own cached values are used).
    content = xlsx_bytes([["Voornaam", "Achternaam"], ["=CONCAT(\"Jan\",\"tje\")", "Formule"]])
    job = job_from(upload(board, "formula.xlsx", content), db)
    submit_mapping(board, job)
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.INVALID
    assert [(e["row"], e["field"]) for e in job.error_list] == [(2, "first_name")]
    assert not any(m.first_name and "CONCAT" in m.first_name for m in members_of(db, world.coop_a))


# --- refusals ------------------------------------------------------------------------------------


def test_missing_required_column_is_refused_with_a_clear_error(board, db, world):
    job = job_from(upload(board, "zonder-achternaam.csv", (DATA / "missing_last_name.csv").read_bytes()), db)
    assert "last_name" not in job.mapping_dict
    r = submit_mapping(board, job)
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Choose the column that holds this field." in page
    db.session.expire_all()
    assert db.session.get(ImportJob, job.id).status == ImportStatus.UPLOADED


def test_missing_column_refused_by_the_service_too(app, board, db, world):
    from coop.core.errors import DomainError
    from coop.members import importing

    job = job_from(upload(board, "zonder-achternaam.csv", (DATA / "missing_last_name.csv").read_bytes()), db)
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        importing.set_mapping(job, {"first_name": 0}, actor=world.board_a)
        assert "Last name" in str(refused.value.message)


def test_mixed_separators_are_refused_with_the_row_numbers(board, db, world, sync_jobs):
    r = upload(board, "gemengd.csv", (DATA / "mixed_separators.csv").read_bytes())
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Rows 3, 5 have a different number of fields" in page
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0
    assert not list(sync_jobs.glob("*"))  # nothing kept on disk


def test_invalid_rows_are_listed_by_row_and_field_and_nothing_is_written(board, db, world):
    before = count_members(db, world.coop_a)
    job = job_from(upload(board, "fout.csv", (DATA / "invalid_rows.csv").read_bytes()), db)
    r = submit_mapping(board, job)
    assert r.status_code == 302
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.INVALID
    found = {(e["row"], e["field"]) for e in job.error_list}
    assert found == {(3, "postcode"), (4, "email"), (5, "iban"),
                     (6, "postcode"), (6, "email"), (6, "born_on")}  # every error of row 6
    assert job.error_count == 6
    assert count_members(db, world.coop_a) == before
    page = board.get(f"{URL}/{job.id}").get_data(as_text=True)
    assert "6 errors were found. Nothing has been imported" in page
    assert "geen-email" in page and "This is not a valid IBAN." in page
    # the import cannot be started
    r = board.post(f"{URL}/{job.id}/start")
    assert r.status_code == 400
    assert count_members(db, world.coop_a) == before


def test_many_errors_are_paginated_with_a_count(board, db, world):
    lines = ["voornaam;achternaam;postcode"] + [f"Naam{i};Fout;XXXX" for i in range(1200)]
    job = job_from(upload(board, "veel.csv", "\r\n".join(lines).encode()), db)
    submit_mapping(board, job)
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.error_count == 1200 and len(job.error_list) == 1000
    page1 = board.get(f"{URL}/{job.id}").get_data(as_text=True)
    assert "The first 1,000 of 1,200 errors are listed." in page1
    assert "page 1 of 5" in page1 and page1.count("A Dutch postcode has four digits") == 200
    page5 = board.get(f"{URL}/{job.id}?page=5").get_data(as_text=True)
    assert ">1001<" in page5 and ">1002<" not in page1


def test_fifty_megabytes_of_garbage_are_refused_before_reading(board, db, world, sync_jobs):
    garbage = os.urandom(50 * 1024 * 1024)
    r = upload(board, "leden.csv", garbage)
    assert r.status_code == 413
    assert "larger than 20 MB" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0
    assert not sync_jobs.exists() or not list(sync_jobs.glob("*"))


def test_one_megabyte_of_random_bytes_is_not_a_register(board, db, world, sync_jobs):
    r = upload(board, "leden.xlsx", os.urandom(1024 * 1024))
    assert r.status_code == 400
    assert "This is not a CSV or XLSX file." in r.get_data(as_text=True)
    assert not list(sync_jobs.glob("*"))


def test_a_zip_bomb_is_refused_before_unpacking(board, db, world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    assert len(buf.getvalue()) < 1024 * 1024
    r = upload(board, "bom.xlsx", buf.getvalue())
    assert r.status_code == 400
    assert "unpacks to far more data" in r.get_data(as_text=True)


def test_a_zip_that_is_no_workbook_is_refused(board, db, world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<document/>")
    r = upload(board, "leden.xlsx", buf.getvalue())
    assert r.status_code == 400 and "This is not a CSV or XLSX file." in r.get_data(as_text=True)


def test_the_upload_is_stored_under_a_random_name(board, db, world, sync_jobs):
    job = job_from(upload(board, "Jan de Vries leden.csv", (DATA / "invalid_rows.csv").read_bytes()), db)
    stored = [p.name for p in sync_jobs.glob("*")]
    assert stored == [job.stored_name] and "Vries" not in job.stored_name
    assert re.fullmatch(r"[0-9a-f]{32}\.csv", job.stored_name)


# --- idempotency and numbers --------------------------------------------------------------------


def test_same_file_twice_creates_no_duplicates(board, db, world):
    content = (DATA / "register_cp1252_semicolon.csv").read_bytes()
    first = run_all(board, db, "leden.csv", content)
    assert first.imported_count == 3
    n = count_members(db, world.coop_a)
    second = job_from(upload(board, "leden.csv", content), db)
    submit_mapping(board, second)
    db.session.expire_all()
    second = db.session.get(ImportJob, second.id)
    assert second.status == ImportStatus.READY
    assert second.imported_count == 0 and second.skipped_count == 3
    assert board.post(f"{URL}/{second.id}/start").status_code == 400
    assert count_members(db, world.coop_a) == n


@pytest.fixture(params=["register read at once", "register asked batch by batch"])
def register_lookup(request, monkeypatch):
    """The checks read a small register at once, a large one batch by batch: both must agree."""
    from coop.members import importing

    if request.param == "register asked batch by batch":
        monkeypatch.setattr(importing, "PREFETCH_MEMBERS", -1)
        monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    return request.param


@pytest.mark.usefixtures("register_lookup")
def test_duplicates_are_recognised_by_email_or_name_postcode_and_birth_date(board, db, world, make_member):
    make_member(world.coop_a, first_name="Zoë", last_name="Jansen", postcode="9712 CD",
                born_on=date(1975, 7, 31))
    make_member(world.coop_a, first_name="Someone", last_name="Else", email="lois@example.nl")
    db.session.commit()
    content = (DATA / "register_cp1252_semicolon.csv").read_bytes()
    job = job_from(upload(board, "leden.csv", content), db)
    submit_mapping(board, job)
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.READY
    assert job.imported_count == 1 and job.skipped_count == 2
    assert {s["row"] for s in job.skipped_list} == {3, 4}
    board.post(f"{URL}/{job.id}/start")
    page = board.get(f"{URL}/{job.id}").get_data(as_text=True)
    assert "1 member was imported." in page and "2 rows were skipped" in page
    assert "the same person as" not in page and "already registered as member" in page


@pytest.mark.usefixtures("register_lookup")
def test_a_member_with_a_name_prefix_is_recognised_and_sorted_as_the_board_enters_them(board, db, world, make_member):
    make_member(world.coop_a, first_name="Jan", name_prefix="de", last_name="Vries", postcode="9712 CD",
                born_on=date(1975, 7, 31))
    db.session.commit()
    content = ("voornaam;tussenvoegsel;achternaam;postcode;geboortedatum\r\n"
               "jan;de;VRIES;9712 CD;31-07-1975\r\n"
               "Pieter;van der;Berg;9711 AB;01-02-1980\r\n").encode()
    job = run_all(board, db, "tussenvoegsels.csv", content)
    assert job.imported_count == 1 and [s["row"] for s in job.skipped_list] == [2]
    db.session.expire_all()
    [pieter] = [m for m in members_of(db, world.coop_a) if m.first_name == "Pieter"]
    assert pieter.sort_name == "berg, pieter van der"
    assert "Berg" in board.get("/c/coop-a/members/?q=pieter+van+der+berg").get_data(as_text=True)


def test_a_person_twice_in_one_file_is_imported_once(board, db, world):
    content = "voornaam;achternaam;e-mail\r\nAnna;Smit;anna@example.nl\r\nAnna;Smit;ANNA@example.nl\r\n"
    job = run_all(board, db, "dubbel.csv", content.encode())
    assert job.imported_count == 1 and job.skipped_list == [{"row": 3, "other": 2, "reason": "in_file"}]


def test_numbers_are_kept_and_the_counter_is_raised(board, db, world):
    from coop.members import services

    content = ("lidnummer;voornaam;achternaam\r\n"
               "205;Hoog;Nummer\r\n"
               ";Zonder;Nummer\r\n"
               "100;Laag;Nummer\r\n").encode()
    run_all(board, db, "nummers.csv", content)
    db.session.expire_all()
    by_name = {m.first_name: m.number for m in members_of(db, world.coop_a)}
    assert by_name["Hoog"] == 205 and by_name["Laag"] == 100
    assert by_name["Zonder"] == 206  # after the highest number, never a used one
    coop = world.coop_a
    db.session.refresh(coop)
    assert coop.last_member_number == 206
    later = services.create_member(coop, {"first_name": "Na", "last_name": "Import"}, actor=None,
                                   confirm_duplicate=True)
    assert later.number == 207


@pytest.mark.usefixtures("register_lookup")
def test_a_number_of_another_member_is_refused(board, db, world):
    taken = world.record_a.number
    content = f"lidnummer;voornaam;achternaam\r\n{taken};Nieuw;Lid\r\n7000;Twee;Keer\r\n7000;Drie;Keer\r\n"
    job = job_from(upload(board, "nummers.csv", content.encode()), db)
    submit_mapping(board, job)
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.INVALID
    assert [(e["row"], e["field"]) for e in job.error_list] == [(2, "number"), (4, "number")]
    assert "already belongs to another member" in job.error_list[0]["message"]
    assert "also in row 3" in job.error_list[1]["message"]


@pytest.mark.usefixtures("register_lookup")
def test_an_erased_member_keeps_the_number_but_is_nobody_to_match(board, db, world, make_member):
    from coop.core.db import utcnow

    erased = make_member(world.coop_a, first_name="Oud", last_name="Lid", email="oud@example.nl")
    erased.erased_at = utcnow()
    db.session.commit()
    content = (f"lidnummer;voornaam;achternaam;e-mail\r\n"
               f"{erased.number};Nieuw;Lid;nieuw@example.nl\r\n"
               f";Oud;Lid;oud@example.nl\r\n").encode()
    job = job_from(upload(board, "nummers.csv", content), db)
    submit_mapping(board, job)
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.INVALID and job.skipped_count == 0
    assert [(e["row"], e["field"]) for e in job.error_list] == [(2, "number")]


def test_import_is_one_audit_entry_and_an_imported_event_per_member(board, db, world):
    content = (DATA / "register_cp1252_semicolon.csv").read_bytes()
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    job = run_all(board, db, "leden.csv", content)
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.id > 0)
                                 .order_by(AuditEntry.id.desc()).limit(5)).all()
    imports = [e for e in entries if e.action == "members.import"]
    assert len(imports) == 1
    details = imports[0].details_dict
    assert details["count"] == 3 and len(details["file_name_sha256"]) == 64
    assert details["file_sha256"] == job.file_sha256
    assert "Hélène" not in imports[0].details and "leden.csv" not in imports[0].details
    after = db.session.scalar(select(func.count()).select_from(AuditEntry))
    assert after - before == 2  # the upload and the import: no entry per row
    events = db.session.scalars(select(MemberEvent).join(Member).where(
        Member.cooperative_id == world.coop_a.id, MemberEvent.kind == "imported")).all()
    assert len(events) == 3
    assert all(e.to_status == MemberStatus.MEMBER and e.actor_id == world.board_a.id for e in events)
    helene = next(e for e in events if e.member.first_name == "Hélène")
    assert helene.effective_on == date(2015, 3, 15)


def test_files_are_deleted_after_the_import(board, db, world, sync_jobs):
    job = run_all(board, db, "leden.csv", (DATA / "register_cp1252_semicolon.csv").read_bytes())
    assert job.status == ImportStatus.DONE
    assert not list(sync_jobs.glob("*")) and job.preview == "[]"


def test_a_failing_import_writes_no_member(board, db, world, monkeypatch):
    from coop.members import importing

    content = (DATA / "register_cp1252_semicolon.csv").read_bytes()
    job = job_from(upload(board, "leden.csv", content), db)
    submit_mapping(board, job)
    before = count_members(db, world.coop_a)
    calls = {"n": 0}
    real = importing._taken_numbers

    def break_after_first_batch(coop_id, numbers):
        calls["n"] += 1
        if calls["n"] > 1:
            raise RuntimeError("disk on fire")
        return real(coop_id, numbers)

    monkeypatch.setattr(importing, "BATCH_SIZE", 1)
    monkeypatch.setattr(importing, "_taken_numbers", break_after_first_batch)
    r = board.post(f"{URL}/{job.id}/start")
    assert r.status_code == 302
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.FAILED
    assert count_members(db, world.coop_a) == before  # the first batch was rolled back too
    db.session.refresh(world.coop_a)
    assert "Nothing of the members was written" in board.get(f"{URL}/{job.id}").get_data(as_text=True)


def test_cancel_deletes_the_upload(board, db, world, sync_jobs):
    job = job_from(upload(board, "leden.csv", (DATA / "invalid_rows.csv").read_bytes()), db)
    r = board.post(f"{URL}/{job.id}/cancel")
    assert r.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0
    assert not list(sync_jobs.glob("*"))


def test_progress_page_refreshes_while_running(board, db, world):
    job = job_from(upload(board, "leden.csv", (DATA / "invalid_rows.csv").read_bytes()), db)
    job.status = ImportStatus.VALIDATING
    job.processed_rows = 2
    db.session.commit()
    r = board.get(f"{URL}/{job.id}")
    page = r.get_data(as_text=True)
    assert r.headers.get("Refresh") == "2"
    assert '<progress id="progress" max="5" value="2">' in page and "2 of 5 rows" in page
    r = board.get(f"{URL}/{job.id}?refresh=off")
    assert "Refresh" not in r.headers


# --- round trip, tenancy, queries -----------------------------------------------------------------


def test_our_own_export_imports_into_another_cooperative(client, db, world, login_as, make_member, grant):
    make_member(world.coop_a, first_name="=cmd", last_name="Injectie", phone="+31 6 12345678",
                born_on=date(1950, 1, 2), postcode="9711 AB", email="inj@example.nl")
    db.session.commit()
    login_as(client, world.board_a)
    exported = client.get("/c/coop-a/members/export.csv?status=all").data
    grant(world.board_a, "board", world.coop_b)
    db.session.commit()
    r = upload(client, "export.csv", exported, url="/c/coop-b/members/import")
    job = job_from(r, db)
    mapping = job.mapping_dict
    assert {"number", "first_name", "last_name", "postcode", "email", "phone", "born_on",
            "admitted_on"} <= mapping.keys()
    del mapping["number"]  # B's own numbers 1 and 2 are taken: the imported members get new ones
    client.post(f"/c/coop-b/members/import/{job.id}/columns",
                data={k: str(v) for k, v in mapping.items()})
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.READY, job.errors
    client.post(f"/c/coop-b/members/import/{job.id}/start")
    imported = {m.number: m for m in members_of(db, world.coop_b) if m.last_name == "Injectie"}
    m = next(iter(imported.values()))
    assert m.first_name == "=cmd" and m.phone == "+31 6 12345678"  # the export's quote is undone
    assert m.born_on == date(1950, 1, 2)


def test_another_cooperatives_job_is_not_found(client, db, world, login_as):
    login_as(client, world.board_a)
    job = job_from(upload(client, "leden.csv", (DATA / "invalid_rows.csv").read_bytes()), db)
    login_as(client, world.board_b)
    for method, path in [("GET", ""), ("POST", "/columns"), ("POST", "/start"), ("POST", "/cancel")]:
        assert client.open(f"/c/coop-b/members/import/{job.id}{path}", method=method).status_code == 404
        assert client.open(f"/c/coop-a/members/import/{job.id}{path}", method=method).status_code == 404
    login_as(client, world.member_a)
    assert client.get(f"{URL}/{job.id}").status_code == 403


def test_job_page_queries_do_not_grow_with_errors(board, db, world, count_queries):
    def page_queries(n):
        lines = ["voornaam;achternaam;postcode"] + [f"N{i};F;XXXX" for i in range(n)]
        job = job_from(upload(board, f"{n}.csv", "\r\n".join(lines).encode()), db)
        submit_mapping(board, job)
        with count_queries() as q:
            assert board.get(f"{URL}/{job.id}").status_code == 200
        return q.count

    assert page_queries(3) == page_queries(300)
    with count_queries() as q:
        assert board.get(URL).status_code == 200
    assert q.count <= 8


def test_a_second_click_does_not_import_twice(board, db, world, app, monkeypatch):
    content = "voornaam;achternaam\r\nZonder;Email\r\n"  # nothing to recognise a duplicate by
    job = job_from(upload(board, "leden.csv", content.encode()), db)
    submit_mapping(board, job)
    monkeypatch.setitem(app.config, "IMPORT_SYNC", True)
    assert board.post(f"{URL}/{job.id}/start").status_code == 302
    again = board.post(f"{URL}/{job.id}/start")
    assert again.status_code == 400
    assert "Only a file whose rows have all been checked can be imported." in again.get_data(as_text=True)
    assert len([m for m in members_of(db, world.coop_a) if m.last_name == "Email"]) == 1


def test_nothing_to_import_when_everyone_is_registered(board, db, world):
    content = (DATA / "register_cp1252_semicolon.csv").read_bytes()
    run_all(board, db, "leden.csv", content)
    job = job_from(upload(board, "leden.csv", content), db)
    submit_mapping(board, job)
    page = board.get(f"{URL}/{job.id}").get_data(as_text=True)
    assert "Everyone in this file is already registered: there is nothing to import." in page
    assert f"{URL}/{job.id}/start" not in page
    assert board.post(f"{URL}/{job.id}/start").status_code == 400


def test_stale_uploads_are_purged(board, db, world, sync_jobs):
    from datetime import timedelta

    from coop.core.db import utcnow
    from coop.members import importing

    old = job_from(upload(board, "oud.csv", (DATA / "invalid_rows.csv").read_bytes()), db)
    fresh = job_from(upload(board, "nieuw.csv", (DATA / "invalid_rows.csv").read_bytes()), db)
    old.updated_at = utcnow() - timedelta(days=8)
    db.session.commit()
    assert importing.purge_stale_uploads() == 1
    db.session.commit()
    assert db.session.get(ImportJob, old.id) is None
    assert [p.name for p in sync_jobs.glob("*")] == [fresh.stored_name]


def checked_job(board, db, content: bytes) -> ImportJob:
    job = job_from(upload(board, "leden.csv", content), db)
    submit_mapping(board, job)
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.READY, job.errors
    return job


def test_a_number_given_between_check_and_import_fails_the_import(board, db, world, make_member):
    content = "lidnummer;voornaam;achternaam\r\n900;Nieuw;Lid\r\n;Ander;Lid\r\n".encode()
    job = checked_job(board, db, content)
    meanwhile = make_member(world.coop_a, first_name="Tussen", last_name="Door")
    meanwhile.number = 900
    db.session.commit()
    before = count_members(db, world.coop_a)
    assert board.post(f"{URL}/{job.id}/start").status_code == 302
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.FAILED
    assert [(e["row"], e["field"]) for e in job.error_list] == [(2, "number")]
    assert count_members(db, world.coop_a) == before
    page = board.get(f"{URL}/{job.id}").get_data(as_text=True)
    assert "Number 900 already belongs to another member." in page
    assert "Nothing of the members was written" in page


def test_a_person_registered_between_check_and_import_is_skipped(board, db, world, make_member):
    job = checked_job(board, db, "voornaam;achternaam;e-mail\r\nLate;Komer;laat@example.nl\r\n".encode())
    make_member(world.coop_a, first_name="Late", last_name="Komer", email="laat@example.nl")
    db.session.commit()
    before = count_members(db, world.coop_a)
    board.post(f"{URL}/{job.id}/start")
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.DONE and job.imported_count == 0 and job.skipped_count == 1
    assert count_members(db, world.coop_a) == before


def test_an_unchanged_register_is_not_checked_again(board, db, world, monkeypatch):
    from coop.members import importing

    job = checked_job(board, db, (DATA / "register_cp1252_semicolon.csv").read_bytes())
    # pretend the rows were checked a while after the test world was made
    lines = job.rows_path.read_text(encoding="utf-8").splitlines(keepends=True)
    meta = json.loads(lines[0])
    meta["checked_from"] = "2999-01-01T00:00:00+00:00"
    job.rows_path.write_text(json.dumps(meta) + "\n" + "".join(lines[1:]), encoding="utf-8")

    def not_again(*args):
        raise AssertionError("checked again")

    monkeypatch.setattr(importing, "_existing", not_again)
    monkeypatch.setattr(importing, "_taken_numbers", not_again)
    board.post(f"{URL}/{job.id}/start")
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.DONE and job.imported_count == 3
    events = db.session.scalars(select(MemberEvent).join(Member).where(
        Member.cooperative_id == world.coop_a.id, MemberEvent.kind == "imported")).all()
    assert len(events) == 3 and {e.member.first_name for e in events} == {"Hélène", "Zoë", "Loïs"}


@pytest.mark.parametrize("register_changed", [False, True], ids=["streamed", "rechecked batch by batch"])
def test_values_arrive_as_checked(board, db, world, register_changed):
    """Both ways of writing (on PostgreSQL one COPY stream when the register did not change
    since the check; else batch by batch) store every value as the check left it."""
    import csv as csvmod

    out = io.StringIO()
    w = csvmod.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(["Lidnummer", "Voornaam", "Tussenvoegsel", "Achternaam", "Straat", "Huisnummer", "Postcode",
                "Woonplaats", "E-mail", "Telefoon", "Geboortedatum", "Lid sinds", "IBAN"])
    w.writerow(["", 'Anne-"Fleur"', "van 't", "O'Brien, Jr.", "Laan; 1\\2", "3a", "1234ab", "'s-Hertogenbosch",
                "Anne@Voorbeeld.NL", "06 1234 5678", "1-2-1980", "2001-02-03", "nl91 abna 0417 1643 00"])
    w.writerow(["4321", "Jan", "", "Zonder", "", "", "", "", "", "", "", "", ""])
    job = checked_job(board, db, out.getvalue().encode("utf-8"))
    if not register_changed:  # checked long after the test world was made: nothing to recheck
        lines = job.rows_path.read_text(encoding="utf-8").splitlines(keepends=True)
        meta = json.loads(lines[0])
        meta["checked_from"] = "2999-01-01T00:00:00+00:00"
        job.rows_path.write_text(json.dumps(meta) + "\n" + "".join(lines[1:]), encoding="utf-8")
    assert board.post(f"{URL}/{job.id}/start").status_code == 302
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.status == ImportStatus.DONE and job.imported_count == 2
    anne, jan = sorted((m for m in members_of(db, world.coop_a) if m.first_name in ('Anne-"Fleur"', "Jan")),
                       key=lambda m: m.first_name)
    assert (anne.name_prefix, anne.last_name, anne.street, anne.house_number, anne.postcode, anne.city) == \
        ("van 't", "O'Brien, Jr.", "Laan; 1\\2", "3a", "1234 AB", "'s-Hertogenbosch")
    assert (anne.email, anne.phone, anne.iban) == ("anne@voorbeeld.nl", "06 1234 5678", "NL91ABNA0417164300")
    assert (anne.born_on, anne.admitted_on) == (date(1980, 2, 1), date(2001, 2, 3))
    assert anne.sort_name == 'o\'brien, jr., anne-"fleur" van \'t'  # as the board's form sorts her
    assert anne.status == MemberStatus.MEMBER and anne.channel == Channel.LETTER and not anne.email_consent_at
    assert anne.number == 4322  # after the highest number of the file
    assert jan.number == 4321 and jan.admitted_on == date.today()
    assert (jan.name_prefix, jan.street, jan.postcode, jan.email, jan.born_on, jan.iban) == (None,) * 6
    assert jan.created_at.tzinfo is not None and abs((jan.created_at - job.finished_at).total_seconds()) < 60
    events = {e.member_id: e for e in db.session.scalars(select(MemberEvent).where(
        MemberEvent.member_id.in_([anne.id, jan.id])))}
    assert events[anne.id].kind == "imported" and events[anne.id].effective_on == date(2001, 2, 3)
    assert events[jan.id].to_status == MemberStatus.MEMBER and events[jan.id].actor_id == world.board_a.id
    assert events[jan.id].is_applied and events[jan.id].from_status is None and events[jan.id].reason is None
