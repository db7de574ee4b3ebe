"""Voting services: motions, the frozen roll, casting (own and by proxy), paper, closing with a
hash, secrecy, receipts, recount, re-runs, and the resolutions register."""
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select, update

from coop.core.audit import AuditEntry
from coop.core.db import utcnow
from coop.core.errors import DomainError
from coop.meetings import services as meetings
from coop.meetings.models import MeetingStatus, Resolution
from coop.members import services as members
from coop.members.models import MemberStatus
from coop.voting import rules, services
from coop.voting.models import (Ballot, MotionStatus, Participation, RollEntry,
                                SecretBallot, Vote, VoteKind, VoteStatus)

from .helpers import decision_item, meeting_in_session, motion_on


@pytest.fixture
def meeting(db, world):
    return meeting_in_session(world.coop_a, world.board_a)


@pytest.fixture
def voters(db, world, make_member):
    """The two world members plus three more voting members of coop A."""
    return [world.record_a, world.record_board_a] + [make_member(world.coop_a) for _ in range(3)]


def _count(model, **where):
    stmt = select(func.count()).select_from(model)
    for k, v in where.items():
        stmt = stmt.where(getattr(model, k) == v)
    from coop.extensions import db
    return db.session.scalar(stmt)


# --- motions ------------------------------------------------------------------------------------


def test_motions_take_majority_and_quorum_from_the_statutes(db, world, meeting):
    ordinary = motion_on(meeting)
    assert (ordinary.majority_num, ordinary.majority_den, ordinary.is_majority_at_least, ordinary.quorum_num) == (1, 2, False, 0)
    amendment = motion_on(meeting, kind="statute_amendment")
    assert (amendment.majority_num, amendment.majority_den, amendment.is_majority_at_least) == (2, 3, True)
    assert (amendment.quorum_num, amendment.quorum_den) == (2, 3)


def test_another_majority_needs_a_recorded_reason(db, world, meeting):
    with pytest.raises(DomainError, match="Say why"):
        motion_on(meeting, kind="custom", majority_num=3, majority_den=4, is_majority_at_least=True)
    m = motion_on(meeting, kind="custom", majority_num=3, majority_den=4, is_majority_at_least=True,
                  override_reason="Artikel 12 lid 3: driekwart voor verkoop van het dak.")
    assert m.majority_text == "≥ 3/4"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "voting.motion.create")
                               .order_by(AuditEntry.seq.desc())).first()
    assert "Artikel 12" in entry.details_dict["override_reason"]


def test_amendments_are_voted_before_their_motion_and_withdrawal_takes_them_along(db, world, meeting, voters):
    motion = motion_on(meeting)
    amendment = services.create_motion(decision_item(meeting), {"title": "Amendement", "text": "Twee daken."},
                                       actor=None, amends=motion)
    with pytest.raises(DomainError, match="amendments first"):
        services.open_vote(meeting, actor=None, title="", motion=motion)
    vote = services.open_vote(meeting, actor=None, title="", motion=amendment)
    services.close_vote(vote, actor=None)
    assert amendment.status == MotionStatus.REJECTED  # nobody voted
    services.open_vote(meeting, actor=None, title="", motion=motion)
    other = motion_on(meeting)
    extra = services.create_motion(decision_item(meeting), {"title": "A", "text": "B"}, actor=None, amends=other)
    services.withdraw_motion(other, actor=None)
    assert other.status == extra.status == MotionStatus.WITHDRAWN
    with pytest.raises(DomainError, match="withdrawn"):
        services.withdraw_motion(motion, actor=None)


def test_motions_belong_to_decision_items(db, world):
    meeting = meeting_in_session(world.coop_a, items=("discussion", "decision"))
    with pytest.raises(DomainError, match="decision item"):
        services.create_motion(meeting.items[0], {"title": "X", "text": "Y"}, actor=None)


# --- roll and casting ---------------------------------------------------------------------------


def test_the_roll_is_frozen_from_the_register_and_casting_counts_once(db, world, meeting, voters, make_member):
    suspended = make_member(world.coop_a, status=MemberStatus.SUSPENDED)
    vote = services.open_vote(meeting, actor=world.board_a, title="", motion=motion_on(meeting))
    roll = set(db.session.scalars(select(RollEntry.member_id).where(RollEntry.vote_id == vote.id)))
    assert {v.id for v in voters} <= roll and suspended.id not in roll
    assert meeting.voting_opened_at is not None  # proxies are fixed from now on
    services.cast(vote, voters[0], {voters[0].id: "for"}, actor=world.member_a)
    with pytest.raises(DomainError, match="already been cast"):
        services.cast(vote, voters[0], {voters[0].id: "against"}, actor=world.member_a)
    with pytest.raises(DomainError, match="not on the roll"):
        services.cast(vote, suspended, {suspended.id: "for"}, actor=None)
    with pytest.raises(DomainError, match="not on this ballot"):
        services.cast(vote, voters[1], {voters[1].id: "maybe"}, actor=None)
    with pytest.raises(DomainError, match="do not represent"):
        services.cast(vote, voters[1], {voters[2].id: "for"}, actor=None)
    assert _count(Ballot, vote_id=vote.id) == 1


def test_a_member_removed_after_the_roll_froze_still_counts(db, world, meeting, voters):
    vote = services.open_vote(meeting, actor=None, title="", motion=motion_on(meeting))
    services.cast(vote, voters[2], {voters[2].id: "for"}, actor=None)
    members.record_death(voters[2], died_on=utcnow().date(), actor=None)
    assert not meetings.voting_ids_among(meeting, [voters[2].id])  # gone from the register …
    outcome = services.close_vote(vote, actor=None)
    assert outcome["votes_for"] == 1 and outcome["eligible"] == len(voters)  # … still on the frozen roll


def test_the_database_allows_one_ballot_per_member_per_vote(db, world, meeting, voters):
    from sqlalchemy.exc import IntegrityError
    vote = services.open_vote(meeting, actor=None, title="", motion=motion_on(meeting))
    services.cast(vote, voters[0], {voters[0].id: "for"}, actor=None)
    db.session.add(Ballot(vote_id=vote.id, member_id=voters[0].id, choice="against", weight=1, channel="online"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_proxy_holder_casts_a_separate_ballot_for_each_member_represented(db, world, meeting, voters):
    meeting.status = MeetingStatus.CONVENED  # proxies are given before voting opens
    meetings.give_proxy(meeting, voters[3], voters[0], actor=None)
    meeting.status = MeetingStatus.IN_SESSION
    vote = services.open_vote(meeting, actor=None, title="", motion=motion_on(meeting))
    assert [e.member_id for e in services.still_to_cast(vote, voters[0])[0]] == [voters[0].id, voters[3].id]
    services.cast(vote, voters[0], {voters[0].id: "for", voters[3].id: "against"}, actor=world.member_a)
    entries, left = services.still_to_cast(vote, voters[0])
    assert [e.member_id for e in entries] == [voters[0].id, voters[3].id] and left == []
    ballots = {b.member_id: b for b in db.session.scalars(select(Ballot).where(Ballot.vote_id == vote.id))}
    assert ballots[voters[3].id].channel.value == "proxy" and ballots[voters[3].id].cast_by_member_id == voters[0].id
    assert ballots[voters[0].id].choice == "for" and ballots[voters[3].id].choice == "against"
    assert services.needs_my_vote(voters[0]) == []



@pytest.mark.parametrize("secret", [False, True])
def test_a_ballot_stored_meanwhile_by_another_request_refuses_the_whole_cast(db, world, meeting, voters,
                                                                            monkeypatch, secret):
    """The holder's request read the roll before the member represented voted themselves (another
    request, committed in between): the member's ballot stays, the holder's own is taken back,
    and the transaction is still usable (no error that ends it)."""
    meeting.status = MeetingStatus.CONVENED
    meetings.give_proxy(meeting, voters[3], voters[0], actor=None)
    meeting.status = MeetingStatus.IN_SESSION
    vote = services.open_vote(meeting, actor=None, title="", motion=motion_on(meeting), is_secret=secret)
    stale = services.still_to_cast(vote, voters[0])
    services.cast(vote, voters[3], {voters[3].id: "for"}, actor=None)  # the member votes in person
    monkeypatch.setattr(services, "still_to_cast", lambda *_a, **_k: stale)
    with pytest.raises(DomainError, match="already been cast"):
        services.cast(vote, voters[0], {voters[0].id: "against", voters[3].id: "against"}, actor=None)
    monkeypatch.undo()
    db.session.commit()
    table = Participation if secret else Ballot
    assert {p.member_id for p in db.session.scalars(select(table).where(table.vote_id == vote.id))} == {voters[3].id}
    assert _count(SecretBallot, vote_id=vote.id) == (1 if secret else 0)
    if not secret:
        assert db.session.scalar(select(Ballot.choice).where(Ballot.vote_id == vote.id)) == "for"
    services.cast(vote, voters[0], {voters[0].id: "against"}, actor=None)  # their own ballot still can
    db.session.commit()


def test_nothing_is_accepted_before_opening_or_after_closing(db, world, meeting, voters):
    vote = services.open_vote(meeting, actor=None, title="", motion=motion_on(meeting))
    with pytest.raises(DomainError, match="not open now"):
        services.cast(vote, voters[0], {voters[0].id: "for"}, actor=None, now=vote.opens_at - timedelta(seconds=1))
    with pytest.raises(DomainError, match="not open now"):
        services.cast(vote, voters[0], {voters[0].id: "for"}, actor=None, now=vote.closes_at)
    services.close_vote(vote, actor=None)
    with pytest.raises(DomainError, match="closed"):
        services.cast(vote, voters[0], {voters[0].id: "for"}, actor=None)
    with pytest.raises(DomainError, match="already closed"):
        services.close_vote(vote, actor=None)


def test_a_ballot_on_a_page_loaded_before_the_vote_closed_is_refused(db, world, meeting, voters):
    """The member loaded the ballot page while the vote was open; the chair closed it before
    the member pressed the button: the service reads the vote afresh under its lock."""
    from sqlalchemy import update

    from coop.voting.models import Vote

    vote = services.open_vote(meeting, actor=None, title="", motion=motion_on(meeting))
    db.session.flush()
    db.session.execute(update(Vote).where(Vote.id == vote.id).execution_options(synchronize_session=False)
                       .values(status=VoteStatus.CLOSED, closed_at=utcnow(), result_hash="0" * 64, result_json="{}"))
    assert vote.is_open  # what the member's request still holds
    with pytest.raises(DomainError, match="closed"):
        services.cast(vote, voters[0], {voters[0].id: "for"}, actor=None)


def test_the_audit_log_says_who_cast_never_what(db, world, meeting, voters):
    vote = services.open_vote(meeting, actor=None, title="", motion=motion_on(meeting))
    services.cast(vote, voters[0], {voters[0].id: "against"}, actor=None)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "voting.vote.cast")).one()
    assert str(voters[0].id) in entry.details and "against" not in entry.details


def test_online_voting_ahead_only_when_the_statutes_allow_and_at_most_30_days(db, world):
    from tests.meetings.helpers import make_meeting
    meeting = make_meeting(world.coop_a, convene=True, days_ahead=40)
    services_ = services
    meetings.add_item  # noqa: B018
    with pytest.raises(DomainError, match="do not allow"):
        services_.open_vote(meeting, actor=None, title="Begroting", kind=VoteKind.POLL, options=["A", "B"])
    world.coop_a.statutes.has_electronic_voting = True
    with pytest.raises(DomainError, match="at most 30 days"):
        services_.open_vote(meeting, actor=None, title="Begroting", kind=VoteKind.POLL, options=["A", "B"])
    vote = services_.open_vote(meeting, actor=None, title="Begroting", kind=VoteKind.POLL, options=["A", "B"],
                               opens_at=meeting.starts_at - timedelta(days=29))
    assert vote.opens_at == meeting.starts_at - timedelta(days=29)
    with pytest.raises(DomainError, match="closed at the meeting"):
        services_.close_vote(vote, actor=None)


# --- closing ------------------------------------------------------------------------------------


def test_closing_freezes_the_result_with_a_hash_and_an_adopted_motion_enters_the_register(db, world, meeting, voters):
    motion = motion_on(meeting)
    vote = services.open_vote(meeting, actor=world.board_a, title="", motion=motion)
    services.cast(vote, voters[0], {voters[0].id: "for"}, actor=None)
    services.cast(vote, voters[1], {voters[1].id: "for"}, actor=None)
    services.record_paper_ballots(vote, {voters[2].id: "against", voters[3].id: "abstain"}, actor=world.board_a)
    outcome = services.close_vote(vote, actor=world.board_a)
    assert outcome["outcome"] == "adopted" and (outcome["votes_for"], outcome["votes_against"], outcome["abstentions"]) == (2, 1, 1)
    assert outcome["turnout"] == {"by_channel": {"online": 2, "proxy": 0, "paper": 2}, "voted": 4}
    assert vote.status == VoteStatus.CLOSED and len(vote.result_hash) == 64
    assert motion.status == MotionStatus.ADOPTED
    res = db.session.scalar(select(Resolution).where(Resolution.motion_id == motion.id))
    assert res.number.startswith("ALV-") and res.text == motion.text and res.agenda_item_id == motion.item_id
    same, frozen, again = services.recount(vote)
    assert same and frozen == again
    # tampering with a stored ballot shows in the recount
    db.session.scalars(select(Ballot).where(Ballot.vote_id == vote.id, Ballot.choice == "against")).one().choice = "for"
    db.session.flush()
    assert services.recount(vote)[0] is False


def test_a_qualified_motion_without_quorum_is_not_decided(db, world, meeting, voters):
    motion = motion_on(meeting, kind="statute_amendment")
    vote = services.open_vote(meeting, actor=None, title="", motion=motion)
    services.cast(vote, voters[0], {voters[0].id: "for"}, actor=None)
    outcome = services.close_vote(vote, actor=None)
    assert outcome["outcome"] == "no_quorum" and motion.status == MotionStatus.NO_QUORUM
    assert db.session.scalar(select(func.count()).select_from(Resolution)) == 0


def test_the_quorum_counts_members_present_or_represented_not_only_those_who_voted(db, world, meeting, voters):
    """2/3 of the roll must be present or represented; members in the room who abstain from
    handing in a ballot still count, and so do the members their proxy holders represent."""
    roll = len(voters)  # the world's voting members of coop A are these five
    motion = motion_on(meeting, kind="statute_amendment")
    meetings.check_in(meeting, voters[0], actor=None)
    meetings.check_in(meeting, voters[1], actor=None)
    vote = services.open_vote(meeting, actor=None, title="", motion=motion)
    assert _count(RollEntry, vote_id=vote.id) == roll
    services.cast(vote, voters[0], {voters[0].id: "for"}, actor=None)
    services.cast(vote, voters[2], {voters[2].id: "for"}, actor=None)  # online, not checked in
    outcome = services.close_vote(vote, actor=None)
    # present: 0 and 1 in the room, 2 voted online = 3 of 5; 2/3 of 5 needs 4
    assert (outcome["present"], outcome["quorum_needed"], outcome["outcome"]) == (3, 4, "no_quorum")
    present = set(db.session.scalars(select(RollEntry.member_id).where(RollEntry.vote_id == vote.id,
                                                                       RollEntry.present.is_(True))))
    assert present == {voters[0].id, voters[1].id, voters[2].id}

    # Held again: a fourth member is represented by a holder in the room — now the quorum holds,
    # although still only two ballots are handed in.
    motion2 = motion_on(meeting, kind="statute_amendment", title="Statutenwijziging 2")
    meeting.voting_opened_at = None  # a fresh session would allow proxies again
    meeting.status = MeetingStatus.CONVENED
    meetings.give_proxy(meeting, voters[3], voters[1], actor=None)
    meeting.status = MeetingStatus.IN_SESSION
    vote2 = services.open_vote(meeting, actor=None, title="", motion=motion2)
    services.cast(vote2, voters[0], {voters[0].id: "for"}, actor=None)
    services.cast(vote2, voters[2], {voters[2].id: "against"}, actor=None)
    outcome2 = services.close_vote(vote2, actor=None)
    assert (outcome2["present"], outcome2["participated"], outcome2["quorum_met"]) == (4, 2, True)
    assert outcome2["outcome"] == "rejected"  # a tie of 1-1 is rejected
    same, _frozen, _again = services.recount(vote2)
    assert same


def test_a_vote_opened_before_the_meeting_gets_its_proxies_when_voting_opens(db, world, voters):
    from tests.meetings.helpers import make_meeting
    world.coop_a.statutes.has_electronic_voting = True
    meeting = make_meeting(world.coop_a, convene=True, days_ahead=20)
    vote = services.open_vote(meeting, actor=None, title="Begroting", kind=VoteKind.POLL, options=["A", "B"])
    meetings.give_proxy(meeting, voters[3], voters[0], actor=None)
    meetings.give_proxy(meeting, voters[4], voters[1], actor=None)
    services.cast(vote, voters[4], {voters[4].id: "B"}, actor=None)  # the grantor voted online first
    # Until voting opens in the session the proxy may still be revoked: the holder cannot cast yet.
    assert [e.member_id for e in services.still_to_cast(vote, voters[0])[0]] == [voters[0].id]
    with pytest.raises(DomainError, match="do not represent"):
        services.cast(vote, voters[0], {voters[3].id: "A"}, actor=None)
    meetings.open_session(meeting, actor=None)
    meetings.open_voting(meeting, actor=world.board_a)
    assert [e.member_id for e in services.still_to_cast(vote, voters[0])[0]] == [voters[0].id, voters[3].id]
    services.cast(vote, voters[0], {voters[0].id: "A", voters[3].id: "A"}, actor=None)
    assert db.session.get(Ballot, db.session.scalar(select(Ballot.id).where(
        Ballot.vote_id == vote.id, Ballot.member_id == voters[3].id))).channel.value == "proxy"
    # The grantor who voted themselves keeps their own ballot; the holder cannot add one.
    [(_vote, left)] = services.needs_my_vote(voters[1])
    assert [e.member_id for e in left] == [voters[1].id]
    with pytest.raises(DomainError, match="already been cast"):
        services.cast(vote, voters[1], {voters[4].id: "A"}, actor=None)
    assert _count(AuditEntry, action="voting.vote.proxies_fixed") == 1


def test_weighted_statutes_take_each_member_s_weight_from_their_category(db, world, meeting, voters):
    from coop.members.models import MemberCategory
    business = MemberCategory(cooperative_id=world.coop_a.id, name="Bedrijf", vote_weight=3)
    db.session.add(business)
    db.session.flush()
    voters[2].category_id = business.id
    world.coop_a.statutes.is_vote_weighted = True
    vote = services.open_vote(meeting, actor=None, title="", motion=motion_on(meeting))
    weights = dict(db.session.execute(select(RollEntry.member_id, RollEntry.weight)
                                      .where(RollEntry.vote_id == vote.id)).all())
    assert weights[voters[2].id] == 3 and weights[voters[0].id] == 1
    services.cast(vote, voters[2], {voters[2].id: "for"}, actor=None)
    services.cast(vote, voters[0], {voters[0].id: "against"}, actor=None)
    services.cast(vote, voters[1], {voters[1].id: "against"}, actor=None)
    outcome = services.close_vote(vote, actor=None)
    assert (outcome["votes_for"], outcome["votes_against"], outcome["outcome"]) == (3, 2, "adopted")

    world.coop_a.statutes.is_vote_weighted = False  # one member, one vote: the category is ignored
    vote2 = services.open_vote(meeting, actor=None, title="", motion=motion_on(meeting, title="Tweede"))
    assert set(db.session.scalars(select(RollEntry.weight).where(RollEntry.vote_id == vote2.id))) == {1}


def test_a_closed_vote_is_re_run_as_a_new_vote_with_a_logged_reason(db, world, meeting, voters):
    motion = motion_on(meeting)
    vote = services.open_vote(meeting, actor=None, title="", motion=motion)
    services.cast(vote, voters[0], {voters[0].id: "for"}, actor=None)
    services.close_vote(vote, actor=None)
    with pytest.raises(DomainError, match="Say why"):
        services.rerun_vote(vote, actor=None, reason=" ")
    again = services.rerun_vote(vote, actor=world.board_a, reason="Stemkastje viel uit in zaal B.")
    assert again.id != vote.id and again.rerun_of_id == vote.id and vote.status == VoteStatus.CLOSED
    assert motion.status == MotionStatus.VOTING
    assert db.session.scalar(select(Resolution).where(Resolution.motion_id == motion.id)) is None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "voting.vote.rerun")).one()
    assert entry.details_dict["reason"] == "Stemkastje viel uit in zaal B."


# --- secrecy and receipts -----------------------------------------------------------------------


def test_a_secret_ballot_is_stored_apart_from_who_voted(db, world, meeting, voters):
    vote = services.open_vote(meeting, actor=None, title="Kascommissie", kind=VoteKind.ELECTION,
                              options=["Anna", "Bram", "Cor"], is_secret=True)
    receipts = services.cast(vote, voters[0], {voters[0].id: "Anna"}, actor=world.member_a)
    code = receipts[voters[0].id]
    assert len(code) == 14
    columns = {c.key for c in inspect(SecretBallot).columns}
    assert columns == {"id", "vote_id", "choice", "weight", "receipt_hash", "is_paper", "cast_on"}
    assert "member_id" not in columns and not any(c.endswith("_at") for c in columns)
    ballot = db.session.scalars(select(SecretBallot)).one()
    assert len(ballot.id) == 32 and ballot.receipt_hash == rules.receipt_hash(code) and code not in ballot.receipt_hash
    assert db.session.scalars(select(Participation)).one().member_id == voters[0].id
    audit_details = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "voting.vote.cast")).one().details
    assert "Anna" not in audit_details and ballot.id not in audit_details
    with pytest.raises(DomainError, match="already been cast"):
        services.cast(vote, voters[0], {voters[0].id: "Bram"}, actor=None)
    assert services.receipts_list(vote) == []  # only after closing
    services.cast(vote, voters[1], {voters[1].id: "Anna"}, actor=None)
    services.cast(vote, voters[2], {voters[2].id: "Bram"}, actor=None)
    outcome = services.close_vote(vote, actor=None)
    assert outcome["outcome"] == "elected" and outcome["elected"] == ["Anna"]
    listed = services.receipts_list(vote)
    assert (rules.receipt_hash(code), "Anna") in listed and len(listed) == 3
    assert services.recount(vote)[0]
    vote.publishes_receipts = False
    assert services.receipts_list(vote) == []


def test_paper_totals_of_a_secret_vote_are_checked_against_papers_and_presence(db, world, meeting, voters):
    for v in voters[:3]:
        meetings.check_in(meeting, v, actor=None)
    vote = services.open_vote(meeting, actor=None, title="", motion=motion_on(meeting), is_secret=True)
    with pytest.raises(DomainError, match="More ballots were counted"):
        services.record_paper_totals(vote, {"for": 2, "against": 1}, 2, actor=None)
    with pytest.raises(DomainError, match="present or represented"):
        services.record_paper_totals(vote, {"for": 2}, 4, actor=None)
    with pytest.raises(DomainError, match="not on this ballot"):
        services.record_paper_totals(vote, {"yes": 2}, 3, actor=None)
    services.record_paper_totals(vote, {"for": 2, "against": 1}, 3, actor=world.board_a)
    with pytest.raises(DomainError, match="already been entered"):
        services.record_paper_totals(vote, {"for": 1}, 1, actor=None)
    outcome = services.close_vote(vote, actor=None)
    assert outcome["outcome"] == "adopted" and outcome["turnout"]["by_channel"]["paper"] == 3


def test_an_election_without_absolute_majority_goes_to_a_run_off(db, world, meeting, voters):
    vote = services.open_vote(meeting, actor=None, title="Voorzitter", kind=VoteKind.ELECTION,
                              options=["Anna", "Bram", "Cor"], is_secret=True)
    for v, c in zip(voters, ["Anna", "Anna", "Bram", "Cor", "Bram"]):
        services.cast(vote, v, {v.id: c}, actor=None)
    outcome = services.close_vote(vote, actor=None)
    assert outcome["outcome"] == "runoff" and outcome["runoff"] == ["Anna", "Bram"]
    second = services.open_runoff(vote, actor=None)
    assert second.options == ["Anna", "Bram"] and second.round == 2


def test_approval_elects_several(db, world, meeting, voters):
    vote = services.open_vote(meeting, actor=None, title="Raad van toezicht", kind=VoteKind.APPROVAL,
                              options=["Anna", "Bram", "Cor"], seats=2)
    services.cast(vote, voters[0], {voters[0].id: ["Anna", "Bram"]}, actor=None)
    services.cast(vote, voters[1], {voters[1].id: ["Anna"]}, actor=None)
    with pytest.raises(DomainError, match="not on this ballot"):
        services.cast(vote, voters[2], {voters[2].id: ["Anna", "Bram", "Cor"]}, actor=None)
    assert services.close_vote(vote, actor=None)["elected"] == ["Anna", "Bram"]


def test_every_state_change_is_audited(db, world, meeting, voters):
    motion = motion_on(meeting, actor=world.board_a)
    vote = services.open_vote(meeting, actor=world.board_a, title="", motion=motion)
    services.cast(vote, voters[0], {voters[0].id: "for"}, actor=world.member_a)
    services.close_vote(vote, actor=world.board_a)
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("voting.%"))))
    assert {"voting.motion.create", "voting.vote.open", "voting.vote.cast", "voting.vote.close",
            "voting.motion.decided"} <= actions
    closed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "voting.vote.close")).one()
    assert closed.details_dict["hash"] == vote.result_hash


def test_a_ballot_sees_that_the_vote_was_closed_by_someone_else_meanwhile(db, world, meeting, voters):
    # The object in hand still says "open"; the row says closed (another request closed it).
    # Holding the row reads its status, and the ballot is refused.
    vote = services.open_vote(meeting, actor=None, title="", motion=motion_on(meeting))
    db.session.flush()
    db.session.execute(update(Vote).where(Vote.id == vote.id).values(
        status=VoteStatus.CLOSED, closed_at=utcnow(), result_hash="0" * 64),
        execution_options={"synchronize_session": False})
    assert vote.status == VoteStatus.OPEN
    with pytest.raises(DomainError, match="closed"):
        services.cast(vote, voters[0], {voters[0].id: "for"}, actor=None)
    assert vote.status == VoteStatus.CLOSED and vote.result_hash == "0" * 64
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
