"""Follow-up of resolutions and municipal commitments: items, updates, the list, reminders."""
from datetime import date, timedelta

import pytest

from coop.accountability import services
from coop.accountability.models import FollowUpItem, Phase
from coop.core.errors import DomainError


def _status(coop, phase):
    return next(s for s in services.statuses(coop) if s.phase == Phase(phase))


def test_every_resolution_gets_one_planned_item(db, world, resolutions):
    assert services.sync_items(world.coop_a) == 3
    assert services.sync_items(world.coop_a) == 0
    items = services.items(world.coop_a)
    assert {i.resolution.number for i in items} == {r.number for r in resolutions}
    assert all(i.status.phase == Phase.PLANNED and i.progress == 0 for i in items)
    assert [s.progress for s in services.statuses(world.coop_a)] == [0, 50, 100, 0]
    assert services.items(world.coop_b) == []


def test_an_item_points_at_exactly_one_source(db, world, resolutions):
    from sqlalchemy.exc import IntegrityError

    status = _status(world.coop_a, "planned")
    db.session.add(FollowUpItem(cooperative_id=world.coop_a.id, status_id=status.id, progress=0))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_updates_move_the_item_and_make_a_timeline(db, world, resolutions):
    services.sync_items(world.coop_a)
    item = services.items(world.coop_a)[0]
    services.post_update(item, status_id=_status(world.coop_a, "in_progress").id, text="Offertes gevraagd",
                         owner="Werkgroep Dak", due_on=date(2030, 1, 1), posted_on=date(2026, 2, 1),
                         actor=world.board_a)
    assert (item.progress, item.owner, item.due_on) == (50, "Werkgroep Dak", date(2030, 1, 1))
    services.post_update(item, status_id=_status(world.coop_a, "done").id, text="Panelen liggen erop",
                         posted_on=date(2026, 3, 1), actor=world.board_a)
    db.session.refresh(item)
    assert item.progress == 100 and item.completed_on == date(2026, 3, 1)
    assert [u.text for u in item.updates] == ["Panelen liggen erop", "Offertes gevraagd"]


def test_done_without_an_update_text_is_refused(db, world, resolutions):
    services.sync_items(world.coop_a)
    item = services.items(world.coop_a)[0]
    with pytest.raises(DomainError) as e:
        services.post_update(item, status_id=_status(world.coop_a, "done").id, text="", actor=world.board_a)
    assert "update text" in str(e.value.message)
    with pytest.raises(DomainError):
        services.post_update(item, status_id=_status(world.coop_a, "dropped").id, text="", reason="",
                             actor=world.board_a)


def test_a_status_of_another_cooperative_is_refused(db, world, resolutions):
    services.sync_items(world.coop_a)
    item = services.items(world.coop_a)[0]
    with pytest.raises(DomainError):
        services.post_update(item, status_id=_status(world.coop_b, "done").id, text="x", actor=world.board_a)


def test_members_see_the_list_with_progress_bars_and_overdue_items(db, world, resolutions, client, login_as):
    services.sync_items(world.coop_a)
    first, second, _ = services.items(world.coop_a)
    services.post_update(first, status_id=_status(world.coop_a, "in_progress").id, text="Loopt",
                         due_on=date.today() - timedelta(days=3), actor=world.board_a)
    db.session.commit()
    login_as(client, world.member_a)
    page = client.get("/c/coop-a/follow-up").get_data(as_text=True)
    assert 'class="overdue"' in page and "<progress" in page and first.resolution.number in page
    only_late = client.get("/c/coop-a/follow-up?overdue=1").get_data(as_text=True)
    assert first.resolution.number in only_late and second.resolution.number not in only_late
    done = client.get("/c/coop-a/follow-up?phase=done").get_data(as_text=True)
    assert first.resolution.number not in done
    # a member reads an item but cannot post an update
    assert client.get(f"/c/coop-a/follow-up/{first.id}").status_code == 200
    assert client.post(f"/c/coop-a/follow-up/{first.id}", data={"status_id": 1, "text": "x"}).status_code == 403


def test_the_board_posts_an_update_and_done_without_text_is_refused(db, world, resolutions, client, login_as):
    services.sync_items(world.coop_a)
    item = services.items(world.coop_a)[0]
    db.session.commit()
    login_as(client, world.board_a)
    done = _status(world.coop_a, "done").id
    r = client.post(f"/c/coop-a/follow-up/{item.id}", data={"status_id": done, "text": ""})
    assert r.status_code == 400 and "update text" in r.get_data(as_text=True)
    r = client.post(f"/c/coop-a/follow-up/{item.id}", data={"status_id": done, "text": "Uitgevoerd"})
    assert r.status_code == 302
    db.session.refresh(item)
    assert item.progress == 100


def test_municipal_commitments_are_followed_up_with_their_due_date(db, world):
    from coop.liaison.models import Commitment, LiaisonRequest, Outcome, RequestStatus
    from coop.liaison.services import ensure_catalogue

    rtype = ensure_catalogue(world.muni_m)[0]
    req = LiaisonRequest(cooperative_id=world.coop_a.id, municipality_id=world.muni_m.id,
                         request_type_id=rtype.id, subject="Dak sporthal", body="Mogen wij?",
                         status=RequestStatus.DECIDED, decided_on=date(2026, 3, 1), outcome=Outcome.GRANTED,
                         receipt_number="GM-2026-0001", received_on=date(2026, 1, 5), due_on=date(2026, 3, 2),
                         answer_text="Toegestaan.")
    db.session.add(req)
    db.session.flush()
    db.session.add(Commitment(request_id=req.id, cooperative_id=world.coop_a.id, municipality_id=world.muni_m.id,
                              what="Constructieberekening leveren", who="Afdeling Vastgoed",
                              due_on=date(2026, 6, 1)))
    db.session.flush()
    services.sync_items(world.coop_a)
    [item] = services.items(world.coop_a, source="commitment")
    assert (item.owner, item.due_on, item.title) == ("Afdeling Vastgoed", date(2026, 6, 1),
                                                      "Constructieberekening leveren")


def test_the_board_is_reminded_once_before_the_due_date(db, world, resolutions):
    from coop.core.mail import OutboxMessage

    services.sync_items(world.coop_a)
    soon, later, _ = services.items(world.coop_a)
    soon.due_on, later.due_on = date(2026, 5, 10), date(2026, 9, 1)
    db.session.commit()
    assert services.send_reminders(on=date(2026, 5, 1)) == 1  # one board member of A
    db.session.commit()
    [mail] = [m for m in db.session.scalars(db.select(OutboxMessage)) if soon.resolution.number in m.body_text]
    assert mail.to_address == world.board_a.email and later.resolution.number not in mail.body_text
    assert services.send_reminders(on=date(2026, 5, 2)) == 0
    soon.due_on = date(2026, 5, 12)  # a new due date gets a new reminder
    assert services.send_reminders(on=date(2026, 5, 2)) == 1


def test_the_reminder_command_runs(app, db, world, resolutions):
    result = app.test_cli_runner().invoke(args=["coop", "followup-reminders"])
    assert result.exit_code == 0 and "follow-up reminders queued" in result.output


def test_the_board_adds_a_status_of_its_own(db, world, client, login_as):
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/follow-up/statuses", data={"name": "Wacht op gemeente", "phase": "in_progress",
                                                          "progress": "30"})
    assert r.status_code == 302
    added = services.statuses(world.coop_a)[-1]
    assert (added.name, added.phase, added.progress) == ("Wacht op gemeente", Phase.IN_PROGRESS, 30)
    r = client.post("/c/coop-a/follow-up/statuses", data={"name": "wacht op GEMEENTE", "phase": "planned"})
    assert r.status_code == 400
    assert services.add_status(world.coop_a, name="Afgerond", phase="done", progress=10, actor=None).progress == 100
    login_as(client, world.member_a)
    assert client.get("/c/coop-a/follow-up/statuses").status_code == 403
