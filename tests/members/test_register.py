"""The board's register: registering, searching, the lifecycle and the join form."""
from datetime import date

import pytest
import sqlalchemy as sa

from coop.core.audit import AuditEntry
from coop.members import services
from coop.members.models import Channel, Member, MemberEvent, MemberStatus


def _count(db, **where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Member).filter_by(**where))


VALID = {"first_name": "Jan", "name_prefix": "de", "last_name": "Vries", "street": "Herestraat",
         "house_number": "12a", "postcode": "9711ab", "city": "Groningen", "email": "Jan@Example.net",
         "channel": "letter", "iban": "NL91 ABNA 0417 1643 00"}


def test_board_registers_a_member_with_the_next_number(client, db, world, login_as):
    login_as(client, world.board_a)
    before = world.coop_a.last_member_number
    r = client.post("/c/coop-a/members/new", data=VALID)
    assert r.status_code == 302
    m = db.session.scalar(sa.select(Member).where(Member.last_name == "Vries"))
    assert m.number == before + 1 and m.status == MemberStatus.MEMBER
    assert m.postcode == "9711 AB" and m.email == "jan@example.net" and m.iban == "NL91ABNA0417164300"
    assert [e.kind for e in m.history] == ["applied", "admitted"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Jan de Vries" in page and "9711 AB" in page


@pytest.mark.parametrize("field,value,message", [
    ("postcode", "97111 AB", "four digits and two letters"),
    ("email", "not-an-address", "valid e-mail"),
    ("iban", "NL00 ABNA 0000 0000 00", "valid IBAN"),
    ("born_on", "2999-01-01", "cannot be in the future"),
])
def test_invalid_input_refused_and_nothing_written(client, db, world, login_as, field, value, message):
    login_as(client, world.board_a)
    before = _count(db, cooperative_id=world.coop_a.id)
    r = client.post("/c/coop-a/members/new", data={**VALID, field: value})
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    assert _count(db, cooperative_id=world.coop_a.id) == before


def test_the_mail_channel_shows_as_e_mail_or_letter(client, db, world, login_as):
    """The register's filter and the member's page name the ways of sending mail, not the
    channels of a vote (which once shared the template name ``CHANNEL_LABELS``)."""
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/members/new", data=VALID)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Letter" in page
    listing = client.get("/c/coop-a/members/").get_data(as_text=True)
    channel_filter = listing[listing.index('name="channel"'):listing.index("</select>", listing.index('name="channel"'))]
    assert 'value="email"' in channel_filter and 'value="letter"' in channel_filter
    assert "proxy" not in channel_filter and "paper" not in channel_filter


def test_two_areas_cannot_give_templates_one_name_with_two_meanings():
    from flask import Blueprint, Flask

    from coop.core.formatting import template_constants

    labels = {"email": "E-mail"}
    first, same, other = Blueprint("first", __name__), Blueprint("same", __name__), Blueprint("other", __name__)
    template_constants(first, CHANNEL_LABELS=labels)
    template_constants(same, CHANNEL_LABELS=labels)
    template_constants(other, CHANNEL_LABELS={"online": "Online"})
    app = Flask(__name__)
    app.register_blueprint(first)
    app.register_blueprint(same)  # the same object again is no clash
    with pytest.raises(ValueError, match="CHANNEL_LABELS"):
        app.register_blueprint(other)
    assert app.jinja_env.globals["CHANNEL_LABELS"] is labels


def test_email_channel_needs_consent(client, db, world, login_as):
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/members/new", data={**VALID, "channel": "email"})
    assert r.status_code == 400 and "consent" in r.get_data(as_text=True)
    r = client.post("/c/coop-a/members/new", data={**VALID, "channel": "email", "email_consent": "y"})
    assert r.status_code == 302


def test_duplicate_is_warned_and_needs_confirmation(client, db, world, login_as):
    login_as(client, world.board_a)
    client.post("/c/coop-a/members/new", data={**VALID, "born_on": "1970-05-01"})
    again = {**VALID, "email": "", "born_on": "1970-05-01", "postcode": "9711 AB"}
    r = client.post("/c/coop-a/members/new", data=again)
    assert r.status_code == 400 and "Possibly already registered" in r.get_data(as_text=True)
    assert 'name="confirm_duplicate" type="hidden" value="yes"' in r.get_data(as_text=True)
    assert _count(db, last_name="Vries") == 1
    r = client.post("/c/coop-a/members/new", data={**again, "confirm_duplicate": "yes"})
    assert r.status_code == 302 and _count(db, last_name="Vries") == 2
    # the same e-mail address in another cooperative is no duplicate there
    login_as(client, world.board_b)
    assert client.post("/c/coop-b/members/new", data=VALID).status_code == 302


def test_member_of_b_through_a_url_is_404(client, world, login_as):
    login_as(client, world.board_a)
    assert client.get(f"/c/coop-a/members/{world.record_b.id}").status_code == 404
    assert client.get(f"/c/coop-a/members/{world.record_b.id}/edit").status_code == 404
    assert client.post(f"/c/coop-a/members/{world.record_b.id}/expel", data={"reason": "x"}).status_code == 404


def test_edit_is_audited_without_personal_values(client, db, world, login_as):
    login_as(client, world.board_a)
    m = world.record_a
    r = client.post(f"/c/coop-a/members/{m.id}/edit", data={
        "first_name": m.first_name, "last_name": m.last_name, "postcode": "1011ab", "city": "Amsterdam",
        "email": "member-a@example.net", "email_consent": "y", "channel": "email"})
    assert r.status_code == 302
    db.session.refresh(m)
    assert m.postcode == "1011 AB" and m.channel == Channel.EMAIL
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "members.update")
                               .order_by(AuditEntry.id.desc())).first()
    assert "postcode" in entry.details_dict["fields"] and "1011" not in entry.details


# --- search and list ----------------------------------------------------------------------------


@pytest.fixture
def people(db, world, make_member):
    make_member(world.coop_a, first_name="Jan", name_prefix="de", last_name="Vries", postcode="9711 AB",
                email="jan@vries.example")
    make_member(world.coop_a, first_name="Fleur", last_name="Bakker", postcode="9712 CD", channel="letter")
    make_member(world.coop_a, first_name="Joost", last_name="Jansen", postcode="8011 AA")
    make_member(world.coop_a, status=MemberStatus.APPLICANT, first_name="Aanvrager", last_name="Nieuw")
    make_member(world.coop_b, first_name="Jan", last_name="Anders")
    db.session.commit()


@pytest.mark.parametrize("query,expected", [
    ("Jan de Vries", ["Vries"]), ("vries, jan", ["Vries"]), ("bakker", ["Bakker"]),
    ("9711ab", ["Vries"]), ("9711 AB", ["Vries"]), ("97", []), ("9712", ["Bakker"]),
    ("jan@vries", ["Vries"]), ("jan", ["Jansen", "Vries"]),
])
def test_search(client, world, login_as, people, query, expected):
    login_as(client, world.board_a)
    html = client.get("/c/coop-a/members/", query_string={"q": query}).get_data(as_text=True)
    for name in ["Vries", "Bakker", "Jansen", "Anders"]:
        assert (f">{name}," in html) == (name in expected), (query, name)


def test_search_by_number(client, world, login_as, people):
    login_as(client, world.board_a)
    html = client.get("/c/coop-a/members/", query_string={"q": str(world.record_board_a.number)}).get_data(as_text=True)
    assert ">Bakker, Bert<" in html and ">Jansen, Anna<" not in html


def test_filters_and_sort(client, world, login_as, people):
    login_as(client, world.board_a)
    applicants = client.get("/c/coop-a/members/?status=applicant").get_data(as_text=True)
    assert ">Nieuw, Aanvrager<" in applicants and ">Bakker, Fleur<" not in applicants
    current = client.get("/c/coop-a/members/").get_data(as_text=True)
    assert ">Nieuw, Aanvrager<" not in current
    by_name = client.get("/c/coop-a/members/?sort=name").get_data(as_text=True)
    assert by_name.index(">Bakker, Bert<") < by_name.index(">Jansen, Anna<") < by_name.index(">Vries, Jan de<")
    desc = client.get("/c/coop-a/members/?sort=name&dir=desc").get_data(as_text=True)
    assert desc.index(">Vries, Jan de<") < desc.index(">Bakker, Bert<")
    letter = client.get("/c/coop-a/members/?channel=email").get_data(as_text=True)
    assert ">Bakker, Fleur<" not in letter


def _bulk_members(db, coop, n, start):
    rows = [{"cooperative_id": coop.id, "number": start + i, "status": "member", "first_name": f"P{i}",
             "last_name": f"Lid{i:05d}", "sort_name": f"lid{i:05d}, p{i}", "channel": "letter",
             "postcode": "9711 AB", "created_at": services.utcnow(), "updated_at": services.utcnow()}
            for i in range(n)]
    db.session.execute(sa.insert(Member), rows)
    db.session.commit()


def test_list_queries_constant_from_100_to_2000_members(client, db, world, login_as, count_queries):
    login_as(client, world.board_a)
    _bulk_members(db, world.coop_a, 100, 1000)
    with count_queries() as small:
        assert client.get("/c/coop-a/members/?q=lid&sort=postcode").status_code == 200
    _bulk_members(db, world.coop_a, 1900, 5000)
    with count_queries() as large:
        html = client.get("/c/coop-a/members/?q=lid&sort=postcode").get_data(as_text=True)
    assert "More than 1,000 found" in html  # counted up to the cap, not further
    assert large.count == small.count <= 10


# --- lifecycle ----------------------------------------------------------------------------------


def test_notice_takes_effect_at_year_end_and_voting_rights_follow(db, world):
    m = world.record_a
    leaves = services.give_notice(m, by_member=True, actor=world.board_a, given_on=date(2026, 12, 10))
    assert leaves == date(2027, 12, 31)
    assert m.status == MemberStatus.MEMBER  # still a member until then
    db.session.flush()
    voting = lambda day: set(db.session.scalars(services.voting_member_ids_on(world.coop_a, day)))  # noqa: E731
    assert m.id in voting(date(2027, 12, 30))
    assert m.id not in voting(date(2027, 12, 31))
    assert m.id not in voting(date(2023, 12, 31))  # before admission
    assert services.apply_due_events(date(2027, 12, 30)) == 0
    assert services.apply_due_events(date(2028, 1, 1)) == 1
    assert m.status == MemberStatus.FORMER and m.ended_on == date(2027, 12, 31)
    with pytest.raises(services.DomainError):
        services.give_notice(m, by_member=True, actor=None)


def test_expulsion_suspends_until_appeal_decided(client, db, world, login_as):
    login_as(client, world.board_a)
    url = f"/c/coop-a/members/{world.record_a.id}"
    r = client.post(url + "/expel", data={"reason": ""}, follow_redirects=True)
    assert "needs written reasons" in r.get_data(as_text=True)
    client.post(url + "/expel", data={"reason": "Herhaaldelijk wangedrag op de ALV."})
    db.session.refresh(world.record_a)
    m = world.record_a
    assert m.status == MemberStatus.SUSPENDED and not m.has_voting_rights and m.appeal_until > date.today()
    assert m.id not in set(db.session.scalars(services.voting_member_ids_on(world.coop_a, date.today())))
    r = client.post(url + "/expulsion-final", follow_redirects=True)
    assert "has not ended yet" in r.get_data(as_text=True)
    client.post(url + "/appeal")
    client.post(url + "/appeal-decision", data={"decision": "upheld", "reason": "ALV 2026-12-01, punt 4"})
    db.session.refresh(m)
    assert m.status == MemberStatus.MEMBER
    kinds = [e.kind for e in m.history]
    assert kinds[-3:] == ["expelled", "appealed", "appeal_upheld"]


def test_refused_applicant_admitted_only_by_meeting(db, world, make_member):
    a = make_member(world.coop_a, status=MemberStatus.APPLICANT)
    services.refuse(a, actor=world.board_a, reason="Woont buiten het werkgebied")
    assert a.status == MemberStatus.REFUSED and a.number is None
    with pytest.raises(services.DomainError):
        services.admit(a, actor=world.board_a)
    services.admit(a, actor=world.board_a, by_meeting=True, reason="ALV 1 juni")
    assert a.status == MemberStatus.MEMBER and a.number == world.coop_a.last_member_number


def test_numbers_are_never_reused(db, world, make_member):
    m = make_member(world.coop_a)
    number = m.number
    services.record_death(m, died_on=date(2025, 1, 1), actor=world.board_a)
    other = make_member(world.coop_a)
    assert other.number == number + 1
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(Member(cooperative_id=world.coop_a.id, number=number, first_name="x", last_name="y",
                              sort_name="y, x", status=MemberStatus.MEMBER, channel=Channel.LETTER))
        db.session.flush()
    db.session.rollback()


# --- join form and applications -----------------------------------------------------------------


JOIN = {"first_name": "Sanne", "last_name": "Mulder", "street": "Korreweg", "house_number": "5",
        "postcode": "9714 aa", "city": "Groningen", "email": "sanne@example.net", "privacy_consent": "y",
        "email_consent": "y"}


def test_join_admit_welcome_and_account_link(app, client, db, world, login_as, mails):
    r = client.post("/c/coop-a/join", data=JOIN)
    assert r.status_code == 200 and "Thank you for applying" in r.get_data(as_text=True)
    applicant = db.session.scalar(sa.select(Member).where(Member.email == "sanne@example.net"))
    assert applicant.status == MemberStatus.APPLICANT and applicant.channel == Channel.EMAIL
    assert applicant.privacy_consent_at and applicant.email_consent_at
    assert "Your application" in mails()[-1]["Subject"]
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/members/applications", data={"member_id": [applicant.id], "action": "admit"})
    assert r.status_code == 302
    db.session.refresh(applicant)
    assert applicant.status == MemberStatus.MEMBER and applicant.number
    welcome = mails()[-1]
    assert welcome["To"] == "sanne@example.net" and "Welcome" in welcome["Subject"]
    assert str(applicant.number) in welcome.get_content()
    link = next(line.strip() for line in welcome.get_content().splitlines() if "/invite/" in line)
    newcomer = app.test_client()
    newcomer.post(link.replace("http://coop.test", ""), data={
        "name": "Sanne Mulder", "password": "een-lang-en-goed-wachtwoord", "confirm": "een-lang-en-goed-wachtwoord"})
    db.session.refresh(applicant)
    assert applicant.user_id is not None


def test_join_needs_privacy_consent_and_valid_postcode(client, db, world):
    r = client.post("/c/coop-a/join", data={**JOIN, "privacy_consent": ""})
    assert r.status_code == 400 and "privacy statement" in r.get_data(as_text=True)
    r = client.post("/c/coop-a/join", data={**JOIN, "postcode": "AB 1234"})
    assert r.status_code == 400
    assert _count(db, email="sanne@example.net") == 0


def test_bulk_refuse_with_reason(client, db, world, login_as, make_member):
    a = make_member(world.coop_a, status=MemberStatus.APPLICANT)
    b = make_member(world.coop_a, status=MemberStatus.APPLICANT)
    db.session.commit()
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/members/applications", data={"member_id": [a.id, b.id], "action": "refuse",
                                                            "reason": "Buiten werkgebied"})
    assert r.status_code == 302
    events = db.session.scalars(sa.select(MemberEvent).where(MemberEvent.kind == "refused")).all()
    assert {e.member_id for e in events} == {a.id, b.id} and events[0].reason == "Buiten werkgebied"


def test_bulk_admit_refuses_ids_of_another_cooperative(client, db, world, login_as, make_member):
    other = make_member(world.coop_b, status=MemberStatus.APPLICANT)
    db.session.commit()
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/members/applications", data={"member_id": [other.id], "action": "admit"})
    assert r.status_code == 400 and "no longer open applications" in r.get_data(as_text=True)
    db.session.refresh(other)
    assert other.status == MemberStatus.APPLICANT


def test_domains_of_a_multi_purpose_cooperative(client, db, world, login_as, make_member):
    world.coop_a.domains = ["energy", "housing"]
    db.session.commit()
    login_as(client, world.board_a)
    form = client.get("/c/coop-a/members/new").get_data(as_text=True)
    assert 'name="domains" type="checkbox" value="housing"' in form and 'value="care"' not in form
    r = client.post("/c/coop-a/members/new", data={**VALID, "domains": ["housing"]})
    assert r.status_code == 302
    r = client.post("/c/coop-a/members/new", data={**VALID, "email": "x@example.net", "last_name": "Zorg",
                                                   "domains": ["care"]})
    assert r.status_code == 400
    housing = client.get("/c/coop-a/members/?domain=housing").get_data(as_text=True)
    energy = client.get("/c/coop-a/members/?domain=energy").get_data(as_text=True)
    assert ">Vries, Jan de<" in housing and ">Vries, Jan de<" not in energy


def test_large_results_are_counted_up_to_a_cap(client, world, login_as, people, monkeypatch):
    import coop.members.views as views

    monkeypatch.setattr(views, "LIST_COUNT_CAP", 3)
    monkeypatch.setitem(client.application.config, "PER_PAGE", 2)
    login_as(client, world.board_a)
    html = client.get("/c/coop-a/members/").get_data(as_text=True)
    assert "More than 3 found" in html and "of more than 3" in html
    assert "2 found" in client.get("/c/coop-a/members/?q=vries").get_data(as_text=True) or \
        "1 found" in client.get("/c/coop-a/members/?q=vries").get_data(as_text=True)
