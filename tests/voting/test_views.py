"""The voting pages: the board adds a motion and opens/closes a vote, members cast (own and by
proxy) and see the result; paper entry, CSV, the resolutions register; tampered forms."""
import csv
import io

import pytest
from sqlalchemy import select

from coop.meetings import services as meetings
from coop.meetings.models import MeetingStatus
from coop.voting import services
from coop.voting.models import Ballot, Motion, SecretBallot, Vote, VoteKind

from .helpers import meeting_in_session, minutes_html, motion_on


@pytest.fixture
def meeting(db, world):
    m = meeting_in_session(world.coop_a, world.board_a)
    db.session.commit()
    return m


def test_board_adds_a_motion_opens_and_closes_the_vote_and_members_vote(client, login_as, world, db, meeting):
    login_as(client, world.board_a)
    page = client.get(f"/c/coop-a/meetings/{meeting.id}/voting")
    assert page.status_code == 200 and "Add a motion" in page.get_data(as_text=True)
    item = next(i for i in meeting.items if i.kind.value == "decision")
    r = client.post(f"/c/coop-a/meetings/{meeting.id}/motions", data={
        "motion-item_id": item.id, "motion-amends_id": 0, "motion-title": "Tweede dak",
        "motion-text": "De ALV besluit een tweede dak te leggen.", "motion-kind": "ordinary"})
    assert r.status_code == 302
    motion = db.session.scalars(select(Motion)).one()
    r = client.post(f"/c/coop-a/meetings/{meeting.id}/motions/{motion.id}/vote", data={})
    assert r.status_code == 302
    vote = db.session.scalars(select(Vote)).one()
    # the member sees it, reads what a choice means, and casts
    login_as(client, world.member_a)
    assert "Tweede dak" in client.get("/me/c/coop-a/votes/").get_data(as_text=True)
    page = client.get(f"/me/c/coop-a/votes/{vote.id}").get_data(as_text=True)
    assert "does not count as a vote cast" in page
    r = client.post(f"/me/c/coop-a/votes/{vote.id}", data={f"m{world.record_a.id}": "maybe"})
    assert r.status_code == 400  # a choice not offered
    r = client.post(f"/me/c/coop-a/votes/{vote.id}", data={f"m{world.record_a.id}": "for", "weight": "99"})
    assert r.status_code == 200 and "counted as cast" in r.get_data(as_text=True)
    assert db.session.scalars(select(Ballot)).one().weight == 1  # weight comes from the roll
    r = client.post(f"/me/c/coop-a/votes/{vote.id}", data={f"m{world.record_a.id}": "against"})
    assert "has been cast" in r.get_data(as_text=True)
    assert db.session.scalars(select(Ballot)).one().choice == "for"
    assert client.get(f"/me/c/coop-a/votes/{vote.id}/result").status_code == 404  # not before closing
    # the board enters a paper ballot and closes
    login_as(client, world.board_a)
    r = client.post(f"/c/coop-a/votes/{vote.id}/paper", data={"paper-number": world.record_board_a.number,
                                                            "paper-choice": "against"})
    assert r.status_code == 302
    assert client.post(f"/c/coop-a/votes/{vote.id}/close").status_code == 302
    r = client.get(f"/c/coop-a/votes/{vote.id}/result.csv")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert ["outcome", "rejected"] in rows and any(row[2:] == ["for", "online"] for row in rows if len(row) == 4)
    login_as(client, world.member_a)
    page = client.get(f"/me/c/coop-a/votes/{vote.id}/result").get_data(as_text=True)
    assert "Rejected" in page and "Anna Jansen" in page and "SHA-256" in page


def test_a_proxy_holder_casts_for_the_member_represented_in_one_step(client, login_as, world, db, make_member):
    meeting = meeting_in_session(world.coop_a, world.board_a)
    other = make_member(world.coop_a, first_name="Gerda", last_name="Groen")
    meeting.status = MeetingStatus.CONVENED
    meetings.give_proxy(meeting, other, world.record_a, actor=None)
    meeting.status = MeetingStatus.IN_SESSION
    vote = services.open_vote(meeting, actor=None, title="", motion=motion_on(meeting))
    db.session.commit()
    login_as(client, world.member_a)
    page = client.get(f"/me/c/coop-a/votes/{vote.id}").get_data(as_text=True)
    assert "For Gerda Groen (proxy)" in page
    r = client.post(f"/me/c/coop-a/votes/{vote.id}", data={f"m{world.record_a.id}": "for", f"m{other.id}": "against"})
    assert "2 ballots" in r.get_data(as_text=True)
    got = {b.member_id: (b.choice, b.channel.value) for b in db.session.scalars(select(Ballot))}
    assert got == {world.record_a.id: ("for", "online"), other.id: ("against", "proxy")}


def test_a_member_cannot_vote_for_someone_they_do_not_represent(client, login_as, world, db, meeting):
    vote = services.open_vote(meeting, actor=None, title="", motion=motion_on(meeting))
    db.session.commit()
    login_as(client, world.member_a)
    client.post(f"/me/c/coop-a/votes/{vote.id}", data={f"m{world.record_board_a.id}": "for"})
    assert db.session.scalars(select(Ballot)).all() == []


def test_secret_vote_shows_a_receipt_once_and_lists_it_after_closing(client, login_as, world, db, meeting):
    vote = services.open_vote(meeting, actor=None, title="Kascommissie", kind=VoteKind.ELECTION,
                              options=["Anna", "Bram"], is_secret=True)
    db.session.commit()
    login_as(client, world.member_a)
    r = client.post(f"/me/c/coop-a/votes/{vote.id}", data={f"m{world.record_a.id}": "Bram"})
    assert r.headers["Cache-Control"] == "no-store"
    page = r.get_data(as_text=True)
    code = page.split('<code class="receipt">')[1].split("<")[0]
    assert code not in str([b.receipt_hash for b in db.session.scalars(select(SecretBallot))])
    services.close_vote(vote, actor=None)
    db.session.commit()
    page = client.post(f"/me/c/coop-a/votes/{vote.id}/result", data={"receipt": code}).get_data(as_text=True)
    assert "Your ballot was counted as: Bram" in page
    assert code not in page  # sent by POST and not echoed: it stays out of URLs, logs and the page
    page = client.post(f"/me/c/coop-a/votes/{vote.id}/result", data={"receipt": "AAAA-BBBB-CCCC"})
    assert "No ballot has this receipt" in page.get_data(as_text=True)


def test_the_resolutions_register_lists_adopted_motions_with_csv(client, login_as, world, db, meeting):
    motion = motion_on(meeting, title="Begroting 2027")
    vote = services.open_vote(meeting, actor=None, title="", motion=motion)
    services.cast(vote, world.record_a, {world.record_a.id: "for"}, actor=None)
    services.close_vote(vote, actor=None)
    db.session.commit()
    login_as(client, world.member_a)
    page = client.get("/c/coop-a/resolutions").get_data(as_text=True)
    assert "Begroting 2027" in page and "ALV-" in page
    body = client.get("/c/coop-a/resolutions.csv").get_data(as_text=True)
    assert "Begroting 2027" in body and body.startswith("number,title")
    login_as(client, world.member_b)
    assert "Begroting 2027" not in client.get("/c/coop-b/resolutions").get_data(as_text=True)


def test_the_board_pages_of_a_secret_vote_check_paper_totals(client, login_as, world, db, meeting):
    for m in (world.record_a, world.record_board_a):
        meetings.check_in(meeting, m, actor=None)
    vote = services.open_vote(meeting, actor=None, title="", motion=motion_on(meeting), is_secret=True)
    db.session.commit()
    login_as(client, world.board_a)
    r = client.post(f"/c/coop-a/votes/{vote.id}/paper-totals", data={"handed_out": 2, "c0": 2, "c1": 1, "c2": 0})
    assert r.status_code == 400 and "More ballots were counted" in r.get_data(as_text=True)
    r = client.post(f"/c/coop-a/votes/{vote.id}/paper-totals", data={"handed_out": 2, "c0": 2, "c1": 0, "c2": 0})
    assert r.status_code == 302
    client.post(f"/c/coop-a/votes/{vote.id}/close")
    assert "Adopted" in client.get(f"/c/coop-a/votes/{vote.id}").get_data(as_text=True)
    # closing twice is refused
    r = client.post(f"/c/coop-a/votes/{vote.id}/close", follow_redirects=True)
    assert "already closed" in r.get_data(as_text=True)


def test_the_recount_command(app, db, world, meeting):
    motion = motion_on(meeting)
    vote = services.open_vote(meeting, actor=None, title="", motion=motion)
    services.cast(vote, world.record_a, {world.record_a.id: "for"}, actor=None)
    services.close_vote(vote, actor=None)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["coop", "recount", str(vote.id)])
    assert result.exit_code == 0 and "OK" in result.output
    db.session.scalars(select(Ballot)).one().choice = "against"
    db.session.commit()
    result = runner.invoke(args=["coop", "recount", str(vote.id)])
    assert result.exit_code == 1 and "MISMATCH" in result.output


def test_the_minutes_show_motions_and_results(client, login_as, world, db, meeting):
    motion = motion_on(meeting, title="Begroting 2027")
    vote = services.open_vote(meeting, actor=None, title="", motion=motion)
    services.cast(vote, world.record_a, {world.record_a.id: "for"}, actor=None)
    services.close_vote(vote, actor=None)
    election = services.open_vote(meeting, actor=None, title="Kascommissie", kind=VoteKind.ELECTION,
                                  options=["Anna", "Bram"])
    services.cast(election, world.record_a, {world.record_a.id: "Bram"}, actor=None)
    services.close_vote(election, actor=None)
    db.session.commit()
    from coop.core.pdf import render_pdf  # noqa: F401 — the template renders as in the PDF
    html = minutes_html(client.application, world.coop_a, meeting)
    assert "Begroting 2027" in html and "For 1, against 0" in html and vote.result_hash in html
    assert "Elected: Bram" in html
