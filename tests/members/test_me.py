"""The member's own pages: own data only, editing contact details and consent, capital, fees,
asking to end the membership or to be erased, and downloading all one's data."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from coop.core.audit import AuditEntry
from coop.members.models import Channel, FeeCharge, Member


def _audit(db, action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id)).all()


def _reload(db, member):
    db.session.expire_all()
    return db.session.get(Member, member.id)


# --- own data only -------------------------------------------------------------------------


def test_memberships_lists_only_my_own_records(client, world, login_as, make_coop, make_member, grant):
    other = make_coop(name="Zorgcoöperatie Elders")
    grant(world.member_a, "member", other)
    make_member(other, user=world.member_a, first_name="Anna", last_name="Jansen")
    login_as(client, world.member_a)
    page = client.get("/me/memberships").get_data(as_text=True)
    assert "Coöperatie A" in page and "Zorgcoöperatie Elders" in page
    assert "Coöperatie B" not in page
    assert str(world.record_a.number) in page


def test_my_membership_shows_my_data_and_nobody_elses(client, world, login_as):
    login_as(client, world.member_a)
    r = client.get("/me/c/coop-a/")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Anna" in page and "Jansen" in page
    # the board member's record is in the same cooperative, but not on my page
    assert "Bakker" not in page and "Bert" not in page


def test_board_member_sees_their_own_record_not_the_member_they_administer(client, world, login_as):
    login_as(client, world.board_a)
    page = client.get("/me/c/coop-a/").get_data(as_text=True)
    assert "Bakker" in page and "Jansen" not in page


def test_a_role_without_a_register_entry_gets_a_friendly_page(client, world, login_as, make_user, grant):
    auditor = make_user()
    grant(auditor, "auditor", world.coop_a)
    login_as(client, auditor)
    for url in ("/me/c/coop-a/", "/me/c/coop-a/details", "/me/c/coop-a/fees", "/me/c/coop-a/capital",
                "/me/c/coop-a/notice", "/me/c/coop-a/erasure"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "not linked to an entry in the member register" in r.get_data(as_text=True), url


def test_a_member_of_another_cooperative_gets_404(client, world, login_as):
    login_as(client, world.member_b)
    assert client.get("/me/c/coop-a/").status_code == 404
    assert client.post("/me/c/coop-a/details", data={"street": "Hacked"}).status_code == 404
    assert world.record_a.street != "Hacked"


# --- editing contact details and consent ------------------------------------------------------


def _input_tag(page: str, name: str) -> str:
    import re

    return re.search(r'<input[^>]*name="%s"[^>]*>' % name, page).group(0)


def _details(member, **changes):
    data = {"street": member.street or "", "house_number": member.house_number or "",
            "postcode": member.postcode or "", "city": member.city or "", "email": member.email or "",
            "phone": member.phone or "", "iban": member.iban or ""}
    if member.email_consent_at:
        data["email_consent"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_contact_details_normalises_and_audits_without_personal_values(client, db, world, login_as):
    login_as(client, world.member_a)
    r = client.post("/me/c/coop-a/details", data=_details(
        world.record_a, street="Nieuwe Weg", house_number="12a", postcode="1234ab",
        iban="nl91 abna 0417 1643 00"))
    assert r.status_code == 302
    m = _reload(db, world.record_a)
    assert (m.street, m.house_number, m.postcode, m.iban) == ("Nieuwe Weg", "12a", "1234 AB", "NL91ABNA0417164300")
    entry = _audit(db, "members.update")[-1]
    assert entry.actor_id == world.member_a.id
    # the record had e-mail consent but letter as channel: the channel now follows the consent
    assert set(entry.details_dict["fields"]) == {"street", "house_number", "postcode", "iban", "channel"}
    assert "Nieuwe Weg" not in entry.details and "NL91" not in entry.details


@pytest.mark.parametrize("field,value,message", [
    ("postcode", "12345", "Dutch postcode"),
    ("postcode", "1234 SS", "Dutch postcode"),
    ("email", "not-an-address", "not a valid e-mail address"),
    ("iban", "NL00ABNA0123456789", "not a valid IBAN"),
])
def test_invalid_contact_details_are_refused_and_nothing_is_written(client, db, world, login_as,
                                                                     field, value, message):
    before = {f: getattr(world.record_a, f) for f in ("street", "postcode", "email", "iban")}
    login_as(client, world.member_a)
    r = client.post("/me/c/coop-a/details", data=_details(world.record_a, street="Other street",
                                                          **{field: value}))
    assert r.status_code == 400
    assert message in r.get_data(as_text=True)
    m = _reload(db, world.record_a)
    assert {f: getattr(m, f) for f in before} == before


@pytest.mark.parametrize("field,value", [("postcode", "12345"), ("email", "x@"), ("iban", "NL00ABNA0123456789")])
def test_the_service_refuses_invalid_details_too(db, world, field, value):
    from coop.core.errors import DomainError
    from coop.members import privacy

    with pytest.raises(DomainError) as e:
        privacy.update_own_details(world.record_a, {field: value}, email_consent=False, actor=world.member_a)
    assert e.value.field == field


def test_every_invalid_field_is_reported_at_once(client, db, world, login_as):
    login_as(client, world.member_a)
    r = client.post("/me/c/coop-a/details", data=_details(world.record_a, postcode="12345",
                                                          email="nope", iban="NL00"))
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    for message in ("Dutch postcode", "not a valid e-mail address", "not a valid IBAN"):
        assert message in page
    for name in ("postcode", "email", "iban"):
        assert 'aria-invalid="true"' in _input_tag(page, name)


def test_consent_on_makes_email_the_channel_and_off_makes_it_letter(client, db, world, login_as):
    login_as(client, world.member_a)
    record = world.record_a
    # off: no consent, mail by letter
    data = _details(record)
    data.pop("email_consent", None)
    r = client.post("/me/c/coop-a/details", data=data)
    assert r.status_code == 302
    m = _reload(db, record)
    assert m.email_consent_at is None and m.channel == Channel.LETTER
    # on: consent recorded with its moment, mail by e-mail
    r = client.post("/me/c/coop-a/details", data=dict(data, email_consent="y"))
    assert r.status_code == 302
    m = _reload(db, record)
    assert m.email_consent_at is not None and m.channel == Channel.EMAIL
    page = client.get("/me/c/coop-a/details").get_data(as_text=True)
    assert "checked" in _input_tag(page, "email_consent")
    entry = _audit(db, "members.update")[-1]
    assert "email_consent" in entry.details_dict["fields"]


def test_consent_without_an_email_address_is_refused(client, db, world, login_as):
    login_as(client, world.member_a)
    r = client.post("/me/c/coop-a/details", data=_details(world.record_a, email="", email_consent="y"))
    assert r.status_code == 400
    assert "Give an e-mail address" in r.get_data(as_text=True)
    assert _reload(db, world.record_a).email == "member-a@example.net"


def test_erased_member_cannot_edit(client, db, world, login_as):
    from coop.core.db import utcnow

    world.record_a.erased_at = utcnow()
    db.session.commit()
    login_as(client, world.member_a)
    r = client.post("/me/c/coop-a/details", data=_details(world.record_a, street="Back again"))
    assert r.status_code == 400
    assert _reload(db, world.record_a).street != "Back again"


# --- fees and capital --------------------------------------------------------------------------


def test_my_fees_shows_years_amounts_and_what_is_unpaid(client, db, world, login_as):
    db.session.add_all([
        FeeCharge(cooperative_id=world.coop_a.id, member_id=world.record_a.id, year=2024, amount_cents=2500,
                  paid_on=date(2024, 3, 1)),
        FeeCharge(cooperative_id=world.coop_a.id, member_id=world.record_a.id, year=2025, amount_cents=3000),
        FeeCharge(cooperative_id=world.coop_a.id, member_id=world.record_board_a.id, year=2025,
                  amount_cents=98765),
    ])
    db.session.commit()
    login_as(client, world.member_a)
    page = client.get("/me/c/coop-a/fees").get_data(as_text=True)
    assert "2024" in page and "2025" in page
    assert "€25.00" in page and "€30.00" in page
    assert "Paid on" in page and "Not paid yet" in page
    assert "Still to pay: €30.00" in page
    assert "987.65" not in page  # another member's charge


def test_my_capital_and_statement(client, db, world, login_as):
    from coop.members.models import ShareTransaction, ShareTransactionKind, ShareTransactionStatus, ShareType

    st = ShareType(cooperative_id=world.coop_a.id, name="Zonnedeel", nominal_cents=5000, min_per_member=1)
    db.session.add(st)
    db.session.flush()
    db.session.add(ShareTransaction(cooperative_id=world.coop_a.id, share_type_id=st.id,
                                    kind=ShareTransactionKind.ISSUE, status=ShareTransactionStatus.APPROVED,
                                    member_id=world.record_a.id, quantity=3, effective_on=date(2024, 2, 1)))
    db.session.commit()
    login_as(client, world.member_a)
    page = client.get("/me/c/coop-a/capital").get_data(as_text=True)
    assert "Zonnedeel" in page and "€150.00" in page
    r = client.get("/me/c/coop-a/statement.pdf?year=2024")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF")
    assert "attachment" in r.headers["Content-Disposition"]
    assert r.headers["Cache-Control"] == "no-store"
    # a year in the future or not a year: back to the page with a message, no PDF
    assert client.get("/me/c/coop-a/statement.pdf?year=3000").status_code == 302
    assert client.get("/me/c/coop-a/statement.pdf?year=abc").status_code == 302


# --- asking to end the membership ---------------------------------------------------------------


@pytest.fixture
def fixed_today(monkeypatch):
    from coop.members import services

    monkeypatch.setattr(services, "today", lambda: date(2026, 12, 10))


def test_notice_page_shows_the_date_the_membership_would_end(client, db, world, login_as, fixed_today):
    s = world.coop_a.statutes
    s.notice_period_weeks, s.is_notice_at_year_end = 4, True
    db.session.commit()
    login_as(client, world.member_a)
    page = client.get("/me/c/coop-a/notice").get_data(as_text=True)
    # four weeks after 10 December 2026 lies in 2027: the end of the financial year 2027
    assert "December 31, 2027" in page
    s.is_notice_at_year_end = False
    db.session.commit()
    page = client.get("/me/c/coop-a/notice").get_data(as_text=True)
    assert "January 7, 2027" in page


def test_notice_request_is_recorded_audited_and_not_repeated(client, db, world, login_as, fixed_today):
    login_as(client, world.member_a)
    r = client.post("/me/c/coop-a/notice", data={})
    assert r.status_code == 400  # the box must be ticked
    assert _reload(db, world.record_a).notice_requested_at is None
    r = client.post("/me/c/coop-a/notice", data={"confirm": "y"}, follow_redirects=True)
    assert r.status_code == 200
    assert "December 31, 2027" in r.get_data(as_text=True)
    m = _reload(db, world.record_a)
    assert m.notice_requested_at is not None
    assert m.leaves_on is None  # the board still has to confirm it
    entry = _audit(db, "members.request_notice")[-1]
    assert entry.details_dict == {"number": m.number, "expected_end": "2027-12-31"}
    r = client.post("/me/c/coop-a/notice", data={"confirm": "y"})
    assert r.status_code == 400
    assert len(_audit(db, "members.request_notice")) == 1


def test_board_confirming_the_notice_clears_the_request(db, world, fixed_today):
    from coop.members import privacy, services

    privacy.request_notice(world.record_a, actor=world.member_a)
    ends = services.give_notice(world.record_a, by_member=True, actor=world.board_a)
    assert ends == privacy.expected_leave_date(world.record_a, date(2026, 12, 10))
    assert world.record_a.notice_requested_at is None


# --- asking for erasure --------------------------------------------------------------------------


def test_erasure_request_explains_what_is_kept_and_is_recorded_once(client, db, world, login_as):
    login_as(client, world.member_a)
    page = client.get("/me/c/coop-a/erasure").get_data(as_text=True)
    assert "membership number" in page and "ballot was cast" in page and "seven years" in page
    assert client.post("/me/c/coop-a/erasure", data={}).status_code == 400
    assert client.post("/me/c/coop-a/erasure", data={"confirm": "y"}).status_code == 302
    m = _reload(db, world.record_a)
    assert m.erasure_requested_at is not None
    assert m.first_name == "Anna"  # only a request: the board executes it
    assert _audit(db, "members.request_erasure")[-1].details_dict == {"number": m.number}
    again = client.post("/me/c/coop-a/erasure", data={"confirm": "y"})
    assert again.status_code == 400
    assert "You asked for erasure on" in again.get_data(as_text=True)
    assert len(_audit(db, "members.request_erasure")) == 1


# --- downloading all my data --------------------------------------------------------------------


@pytest.fixture
def rich_record(db, world):
    from coop.members import services

    services.update_member(world.record_a, {"street": "=HYPERLINK(\"http://evil\")"}, actor=None,
                           fields=("street",))
    services.record_event(world.record_a, "note", reason="Asked about the solar roof", actor=world.board_a)
    db.session.add(FeeCharge(cooperative_id=world.coop_a.id, member_id=world.record_a.id, year=2025,
                             amount_cents=3000))
    db.session.commit()
    return world.record_a


def test_export_json_has_account_roles_records_history_fees_and_consents(client, db, world, login_as,
                                                                          rich_record):
    login_as(client, world.member_a)
    r = client.get("/me/export.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert "attachment" in r.headers["Content-Disposition"]
    assert r.headers["Cache-Control"] == "no-store"
    data = json.loads(r.data)
    assert data["account"]["email"] == "member-a@example.net"
    assert [(x["role"], x["cooperative"]) for x in data["roles"]] == [("member", "coop-a")]
    [m] = data["memberships"]
    assert m["cooperative"]["slug"] == "coop-a" and m["number"] == world.record_a.number
    assert m["first_name"] == "Anna"
    assert [e["kind"] for e in m["history"]] == ["applied", "admitted", "note"]
    assert m["history"][-1]["reason"] == "Asked about the solar roof"
    assert m["fee_charges"] == [{"year": 2025, "amount_cents": 3000, "paid_on": None}]
    assert m["consents"]["email_consent_at"] is not None
    assert m["consents"]["privacy_statement_accepted_at"] is not None
    assert "Bakker" not in r.get_data(as_text=True)
    # audited (which entries, not their data)
    [entry] = _audit(db, "members.export_data")
    assert entry.actor_id == world.member_a.id
    assert entry.details_dict == {"format": "json", "memberships": [
        {"cooperative": "coop-a", "number": world.record_a.number}]}


def test_export_zip_has_one_csv_per_kind_that_opens(client, db, world, login_as, rich_record):
    login_as(client, world.member_a)
    r = client.get("/me/export.zip")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(r.data))
    assert set(zf.namelist()) == {"account.csv", "roles.csv", "memberships.csv", "history.csv",
                                  "share_transactions.csv", "fees.csv", "export.json"}

    def rows(name):
        return list(csv.DictReader(io.StringIO(zf.read(name).decode("utf-8-sig"))))

    [member] = rows("memberships.csv")
    assert member["number"] == str(world.record_a.number) and member["last_name"] == "Jansen"
    # formula injection: written as text
    assert member["street"] == "'=HYPERLINK(\"http://evil\")"
    assert [h["kind"] for h in rows("history.csv")] == ["applied", "admitted", "note"]
    assert rows("fees.csv")[0]["amount_cents"] == "3000"
    assert rows("account.csv")[0]["email"] == "member-a@example.net"
    assert _audit(db, "members.export_data")[-1].details_dict["format"] == "csv"


def test_export_without_any_record_still_gives_the_account(client, world, login_as):
    login_as(client, world.liaison_m)
    data = json.loads(client.get("/me/export.json").data)
    assert data["memberships"] == [] and data["roles"][0]["role"] == "liaison"


# --- query budgets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/me/memberships", "/me/c/coop-a/", "/me/c/coop-a/fees",
                                 "/me/c/coop-a/capital", "/me/export.json", "/me/export.zip"])
def test_query_count_does_not_grow_with_my_history(client, db, world, login_as, count_queries, url,
                                                     make_coop, make_member, grant):
    from coop.members import services

    login_as(client, world.member_a)
    year = [2000]

    def grow(n):
        for _ in range(n):
            coop = make_coop()
            grant(world.member_a, "member", coop)
            make_member(coop, user=world.member_a)
            services.record_event(world.record_a, "note", reason="x", actor=None)
            db.session.add(FeeCharge(cooperative_id=world.coop_a.id, member_id=world.record_a.id,
                                     year=year[0], amount_cents=100))
            year[0] += 1
        db.session.commit()

    grow(2)
    with count_queries() as q:
        assert client.get(url).status_code == 200
    small = q.count
    grow(15)
    with count_queries() as q:
        assert client.get(url).status_code == 200
    assert q.count == small, f"{url}: {small} queries with few rows, {q.count} with many"
    assert small <= 20, f"{url} uses {small} queries"
