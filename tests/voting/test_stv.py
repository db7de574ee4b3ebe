"""Elections of several people by single transferable vote: opening, ranked ballots (own and
by proxy, open and secret), tampered rankings, closing, the rounds on the result page, the CSV,
the minutes and the recount."""
import csv
import io
import json

import pytest
from sqlalchemy import select

from coop.core.errors import DomainError
from coop.meetings import services as meetings
from coop.meetings.models import MeetingStatus
from coop.voting import services
from coop.voting.models import Ballot, SecretBallot, Vote, VoteKind

from .helpers import meeting_in_session, minutes_html

CANDIDATES = ["Anna de Vries", "Bram Bakker", "Cor Visser", "Dirk Smit"]


@pytest.fixture
def meeting(db, world):
    m = meeting_in_session(world.coop_a, world.board_a)
    db.session.commit()
    return m


@pytest.fixture
def voters(db, world, make_member):
    return [world.record_a, world.record_board_a] + [make_member(world.coop_a) for _ in range(4)]


def _stv(meeting, **kw):
    return services.open_vote(meeting, actor=None, title="Raad van commissarissen", kind=VoteKind.STV,
                              options=CANDIDATES, seats=2, **kw)


def test_an_stv_election_needs_more_candidates_than_seats(db, meeting):
    with pytest.raises(DomainError, match="more candidates than seats"):
        services.open_vote(meeting, actor=None, title="RvC", kind=VoteKind.STV, options=["Anna", "Bram"], seats=2)
    vote = _stv(meeting)
    assert vote.seats == 2 and vote.kind == VoteKind.STV


def test_ranked_ballots_are_checked_stored_as_lists_and_counted(app, db, world, meeting, voters):
    vote = _stv(meeting)
    anna, bram, cor, dirk = CANDIDATES
    for bad in (["Zed"], [anna, anna], "Anna de Vries", [1, 2], {"a": 1}):
        with pytest.raises(DomainError, match="not on this ballot"):
            services.cast(vote, voters[0], {voters[0].id: bad}, actor=None)
    rankings = [[anna, bram], [anna, cor], [anna, bram], [cor, dirk], [bram], "blank"]
    for v, ranking in zip(voters, rankings):
        services.cast(vote, v, {v.id: ranking}, actor=None)
    stored = {b.member_id: json.loads(b.choice) for b in db.session.scalars(select(Ballot))}
    assert stored[voters[0].id] == [anna, bram] and stored[voters[5].id] == []
    outcome = services.close_vote(vote, actor=None)
    # 5 ranked ballots (one blank), 2 seats: quota 5 // 3 + 1 = 2. Anna (3) is elected; her
    # surplus of 1 goes on to Bram (2 at 1/3 each → Bram 1.66666 + 1); Bram reaches the quota.
    assert (outcome["cast"], outcome["blank"], outcome["quota"]) == (5, 1, 2)
    assert outcome["elected"] == [anna, bram]
    assert outcome["rounds"][0]["transfers"] == [[anna, bram, 0.66666], [anna, cor, 0.33333]]
    assert services.recount(vote)[0]
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["coop", "recount", str(vote.id)])
    assert result.exit_code == 0 and "OK" in result.output


def test_a_secret_stv_vote_keeps_rankings_apart_and_lists_them_by_receipt(db, world, meeting, voters):
    vote = _stv(meeting, is_secret=True)
    receipts = services.cast(vote, voters[0], {voters[0].id: [CANDIDATES[2], CANDIDATES[0]]}, actor=None)
    ballot = db.session.scalars(select(SecretBallot)).one()
    assert json.loads(ballot.choice) == [CANDIDATES[2], CANDIDATES[0]]
    with pytest.raises(DomainError, match="online or by proxy"):
        services.record_paper_totals(vote, {"blank": 1}, 1, actor=None)
    services.close_vote(vote, actor=None)
    listed = services.receipts_list(vote)
    assert len(listed) == 1 and json.loads(listed[0][1]) == [CANDIDATES[2], CANDIDATES[0]]
    assert receipts[voters[0].id] and services.recount(vote)[0]


def test_a_tie_is_drawn_from_the_published_seed_so_the_recount_agrees(db, meeting, voters):
    vote = services.open_vote(meeting, actor=None, title="RvC", kind=VoteKind.STV,
                              options=["Anna", "Bram", "Cor"], seats=1)
    for v, name in zip(voters[:4], ["Anna", "Anna", "Bram", "Bram"]):
        services.cast(vote, v, {v.id: [name]}, actor=None)
    outcome = services.close_vote(vote, actor=None)
    assert outcome["by_lot"] and outcome["seed"] == vote.seed
    assert services.recount(vote)[0]


# --- pages --------------------------------------------------------------------------------------


def test_the_board_opens_an_stv_election_and_members_rank_with_number_selects(client, login_as, world, db, meeting):
    login_as(client, world.board_a)
    r = client.post(f"/c/coop-a/meetings/{meeting.id}/votes", data={
        "vote-title": "Raad van commissarissen", "vote-kind": "stv", "vote-options": "\n".join(CANDIDATES),
        "vote-seats": 2})
    assert r.status_code == 302
    vote = db.session.scalars(select(Vote)).one()
    assert vote.kind == VoteKind.STV and vote.seats == 2
    page = client.get(f"/c/coop-a/votes/{vote.id}").get_data(as_text=True)
    assert "cast online or by proxy" in page  # no paper entry form for ranked ballots

    login_as(client, world.member_a)
    me = world.record_a.id
    page = client.get(f"/me/c/coop-a/votes/{vote.id}").get_data(as_text=True)
    assert "1 for your first choice" in page and "passes to your next choice" in page
    assert f'<select id="m{me}-0" name="m{me}-0"' in page and f'<label for="m{me}-3">Dirk Smit</label>' in page
    refused = {
        "m%d-0" % me: "1", "m%d-1" % me: "1"}  # a number twice
    r = client.post(f"/me/c/coop-a/votes/{vote.id}", data=refused)
    assert r.status_code == 400 and "Use each number once" in r.get_data(as_text=True)
    r = client.post(f"/me/c/coop-a/votes/{vote.id}", data={f"m{me}-0": "1", f"m{me}-1": "3"})  # a gap
    assert r.status_code == 400 and "without gaps" in r.get_data(as_text=True)
    r = client.post(f"/me/c/coop-a/votes/{vote.id}", data={f"m{me}-0": "9"})
    assert r.status_code == 400 and "not a rank" in r.get_data(as_text=True)
    r = client.post(f"/me/c/coop-a/votes/{vote.id}", data={})
    assert r.status_code == 400 and "Rank at least one candidate" in r.get_data(as_text=True)
    r = client.post(f"/me/c/coop-a/votes/{vote.id}", data={f"m{me}-0": "1", f"m{me}-blank": "y"})
    assert r.status_code == 400 and "not both" in r.get_data(as_text=True)
    assert db.session.scalars(select(Ballot)).all() == []
    r = client.post(f"/me/c/coop-a/votes/{vote.id}", data={f"m{me}-2": "1", f"m{me}-0": "2"})
    assert r.status_code == 200 and "counted as cast" in r.get_data(as_text=True)
    assert json.loads(db.session.scalars(select(Ballot)).one().choice) == ["Cor Visser", "Anna de Vries"]

    login_as(client, world.board_a)
    client.post(f"/c/coop-a/votes/{vote.id}/close")
    page = client.get(f"/c/coop-a/votes/{vote.id}").get_data(as_text=True)
    assert "Elected: Cor Visser" in page and "Count by round" in page and "Quota (Droop)" in page
    assert "1. Cor Visser 2. Anna de Vries" in page  # the roll-call shows the ranking
    rows = list(csv.reader(io.StringIO(client.get(f"/c/coop-a/votes/{vote.id}/result.csv").get_data(as_text=True))))
    assert ["quota", "1"] in rows and ["round 1: Cor Visser", "1"] in rows
    assert any(row[0] == "round 1: elected" and row[1].startswith("Cor Visser") for row in rows)
    login_as(client, world.member_a)
    page = client.get(f"/me/c/coop-a/votes/{vote.id}/result").get_data(as_text=True)
    assert "Count by round" in page and "What each round decided" in page


def test_a_blank_ranked_ballot_and_a_proxy_ranking_in_one_step(client, login_as, world, db, make_member):
    meeting = meeting_in_session(world.coop_a, world.board_a)
    other = make_member(world.coop_a, first_name="Gerda", last_name="Groen")
    meeting.status = MeetingStatus.CONVENED
    meetings.give_proxy(meeting, other, world.record_a, actor=None)
    meeting.status = MeetingStatus.IN_SESSION
    vote = _stv(meeting, is_secret=True)
    db.session.commit()
    login_as(client, world.member_a)
    me, gerda = world.record_a.id, other.id
    page = client.get(f"/me/c/coop-a/votes/{vote.id}").get_data(as_text=True)
    assert "For Gerda Groen (proxy)" in page and f'name="m{gerda}-blank"' in page
    r = client.post(f"/me/c/coop-a/votes/{vote.id}", data={f"m{me}-blank": "y", f"m{gerda}-1": "1",
                                                          f"m{gerda}-3": "2"})
    page = r.get_data(as_text=True)
    assert "2 ballots" in page and page.count('<code class="receipt">') == 2
    got = sorted(json.loads(b.choice) for b in db.session.scalars(select(SecretBallot)))
    assert got == [[], ["Bram Bakker", "Dirk Smit"]]


def test_the_minutes_show_the_stv_count(client, world, db, meeting, voters):
    vote = _stv(meeting)
    services.cast(vote, voters[0], {voters[0].id: [CANDIDATES[1], CANDIDATES[0]]}, actor=None)
    services.close_vote(vote, actor=None)
    db.session.commit()
    html = minutes_html(client.application, world.coop_a, meeting)
    assert "First preferences:" in html and "Count by round" in html and vote.result_hash in html
    assert "Elected: Bram Bakker, " in html and "reached the quota" in html
