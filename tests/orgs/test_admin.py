import sqlalchemy as sa

from coop.auth.models import Invitation, User
from coop.core.audit import AuditEntry
from coop.orgs.models import BoardPosition, Cooperative, Municipality, Role, RoleAssignment
from tests.conftest import TEST_PASSWORD


def _count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_admin_creates_municipality(client, db, world, login_as):
    login_as(client, world.admin)
    r = client.post("/admin/municipalities/new", data={"name": "Utrecht", "slug": "utrecht", "cbs_code": "gm0344"})
    assert r.status_code == 302
    muni = db.session.scalar(sa.select(Municipality).where(Municipality.slug == "utrecht"))
    assert muni.cbs_code == "GM0344"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "orgs.create_municipality",
                                                          AuditEntry.municipality_id == muni.id))
    assert entry.actor_id == world.admin.id


def test_invalid_cbs_code_and_taken_slug_refused(client, db, world, login_as):
    login_as(client, world.admin)
    before = _count(db, Municipality)
    r = client.post("/admin/municipalities/new", data={"name": "X", "slug": "x-stad", "cbs_code": "GM14"})
    assert r.status_code == 400 and "GM followed by four digits" in r.get_data(as_text=True)
    r = client.post("/admin/municipalities/new", data={"name": "X", "slug": "gem-m", "cbs_code": "GM0999"})
    assert r.status_code == 400 and "already taken" in r.get_data(as_text=True)
    r = client.post("/admin/municipalities/new", data={"name": "X", "slug": "Bad Slug!", "cbs_code": "GM0999"})
    assert r.status_code == 400 and "lower-case letters" in r.get_data(as_text=True)
    assert _count(db, Municipality) == before


def test_admin_creates_cooperative_with_default_statutes(client, db, world, login_as):
    login_as(client, world.admin)
    r = client.post("/admin/cooperatives/new", data={
        "name": "Buurtwarmte", "slug": "buurtwarmte", "kvk_number": "12.34.56.78",
        "municipality_id": world.muni_m.id, "domains": ["energy", "care"], "founded_on": "2024-02-29"})
    assert r.status_code == 302
    coop = db.session.scalar(sa.select(Cooperative).where(Cooperative.slug == "buurtwarmte"))
    assert coop.kvk_number == "12345678"
    assert [d.value for d in coop.domains] == ["energy", "care"]
    s = coop.statutes
    assert (s.ordinary_majority_num, s.ordinary_majority_den) == (1, 2)
    assert (s.qualified_majority_num, s.qualified_majority_den) == (2, 3)
    assert s.convocation_days == 7 and s.electronic_voting_days_before == 30 and s.max_proxies_per_holder == 1


def test_invalid_kvk_refused_and_nothing_written(client, db, world, login_as):
    login_as(client, world.admin)
    before = _count(db, Cooperative)
    for kvk in ["1234567", "123456789", "1234abcd"]:
        r = client.post("/admin/cooperatives/new", data={
            "name": "X", "slug": "x-coop", "kvk_number": kvk, "municipality_id": world.muni_m.id,
            "domains": ["energy"]})
        assert r.status_code == 400 and "exactly 8 digits" in r.get_data(as_text=True)
    r = client.post("/admin/cooperatives/new", data={
        "name": "X", "slug": "x-coop", "kvk_number": "87654321", "municipality_id": world.muni_m.id})
    assert r.status_code == 400 and "at least one domain" in r.get_data(as_text=True)
    assert _count(db, Cooperative) == before


def test_overlong_name_refused(client, db, world, login_as):
    login_as(client, world.admin)
    r = client.post("/admin/municipalities/new", data={"name": "x" * 500, "slug": "lang", "cbs_code": "GM0998"})
    assert r.status_code == 400 and "longer than 120" in r.get_data(as_text=True)


def test_admin_invites_first_board_member_who_creates_account(app, client, db, world, login_as, mails):
    login_as(client, world.admin)
    r = client.post("/admin/invitations", data={"email": "Voorzitter@Example.net",
                                                "target": f"coop:{world.coop_b.id}", "board_position": "chair"})
    assert r.status_code == 302
    msg = mails()[-1]
    assert msg["To"] == "voorzitter@example.net" and "Coöperatie B" in msg["Subject"]
    link = next(line.strip() for line in msg.get_content().splitlines() if "/invite/" in line)
    path = link.replace("http://coop.test", "")
    newcomer = app.test_client()
    assert "Create your account" in newcomer.get(path).get_data(as_text=True)
    weak = newcomer.post(path, data={"name": "Vera", "password": "password", "confirm": "password"})
    assert weak.status_code == 400 and "at least 12" in weak.get_data(as_text=True)
    r = newcomer.post(path, data={"name": "Vera Voorzitter", "password": TEST_PASSWORD, "confirm": TEST_PASSWORD})
    assert r.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "voorzitter@example.net"))
    ra = db.session.scalar(sa.select(RoleAssignment).where(RoleAssignment.user_id == user.id))
    assert ra.role == Role.BOARD and ra.cooperative_id == world.coop_b.id and ra.board_position.value == "chair"
    assert newcomer.get("/c/coop-b/people").status_code == 200
    again = app.test_client().get(path, follow_redirects=True)
    assert "expired or has already been used" in again.get_data(as_text=True)


def test_invitation_to_address_with_that_role_refused(client, db, world, login_as, mails):
    login_as(client, world.board_a)
    before = _count(db, Invitation)
    r = client.post("/c/coop-a/people", data={"email": "member-a@example.net", "role": "member",
                                              "board_position": "member"})
    assert r.status_code == 400 and "already has that role" in r.get_data(as_text=True)
    assert _count(db, Invitation) == before and mails() == []


def test_existing_account_accepts_invitation_after_signing_in(app, client, db, world, login_as, mails):
    login_as(client, world.board_a)
    client.post("/c/coop-a/people", data={"email": "member-b@example.net", "role": "auditor",
                                          "board_position": "member"})
    path = next(line.strip() for line in mails()[-1].get_content().splitlines()
                if "/invite/" in line).replace("http://coop.test", "")
    stranger = app.test_client()
    assert "Sign in with it" in stranger.get(path).get_data(as_text=True)
    wrong = app.test_client()
    login_as(wrong, world.member_a)  # signed in as someone else: must not get the role
    assert "Sign in with it" in wrong.get(path).get_data(as_text=True)
    invitee = app.test_client()
    login_as(invitee, world.member_b)
    assert invitee.post(path).status_code == 302
    db.session.refresh(world.member_b)
    assert world.member_b.has_role(Role.AUDITOR, cooperative=world.coop_a)
    assert invitee.get("/c/coop-a/").status_code == 200


def test_liaison_invites_colleague(client, db, world, login_as, mails):
    login_as(client, world.liaison_m)
    r = client.post("/m/gem-m/people", data={"email": "collega@example.net"})
    assert r.status_code == 302
    inv = db.session.scalar(sa.select(Invitation).where(Invitation.email == "collega@example.net"))
    assert inv.role == Role.LIAISON and inv.municipality_id == world.muni_m.id
    assert "Gemeente M" in mails()[-1]["Subject"]


def test_people_page_lists_who_holds_which_role_board_first(client, world, login_as, make_user, grant):
    import re

    late_board = make_user("penning@example.net", "Penny Penning")
    grant(late_board, "auditor", world.coop_a)
    grant(late_board, "board", world.coop_a, position=BoardPosition.TREASURER)
    login_as(client, world.board_a)
    html = client.get("/c/coop-a/people").get_data(as_text=True)
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td>\s*<td>([^<]*)</td></tr>", html)
    assert rows == [("Board A", "board-a@example.net", "Board · Chair"),
                    ("Penny Penning", "penning@example.net", "Board · Treasurer"),
                    ("Penny Penning", "penning@example.net", "Auditor"),
                    ("Member A", "member-a@example.net", "Member"),
                    ("Board A", "board-a@example.net", "Member")]
    assert "member-b@example.net" not in html  # another cooperative's people
    login_as(client, world.liaison_m)
    colleagues = client.get("/m/gem-m/people").get_data(as_text=True)
    assert re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td>", colleagues) == [("Liaison M", "liaison-m@example.net")]
