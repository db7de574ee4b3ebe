"""State changes of voting. Services flush and audit; the view (or CLI) commits once."""
from __future__ import annotations

import json
import secrets
import uuid
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from coop.core import audit
from coop.core.db import insert_ignoring_duplicates, lock_row, utcnow
from coop.core.errors import DomainError
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.meetings import rules as meetings_rules
from coop.meetings import services as meetings
from coop.meetings.models import AgendaItem, GeneralMeeting, ItemKind, MeetingKind, MeetingStatus, Resolution
from coop.members.models import Member, MemberCategory
from coop.members.services import voting_member_ids_on
from coop.orgs.models import Cooperative
from coop.voting import rules
from coop.voting.models import (Ballot, Channel, Motion, MotionKind, MotionStatus, Participation,
                                RollEntry, SecretBallot, Vote, VoteKind, VoteStatus)

#: A vote opened during the session stays open at most this long after the meeting's end.
SESSION_GRACE = timedelta(hours=12)
DECIDED = (MotionStatus.ADOPTED, MotionStatus.REJECTED, MotionStatus.NO_QUORUM)


def _audit(action: str, vote_or_motion, actor, **details):
    # The cooperative is in the session already (the request loaded it): no query for the meeting.
    audit.record(f"voting.{action}", actor=actor, cooperative=db.session.get(Cooperative, vote_or_motion.cooperative_id),
                 obj=vote_or_motion, **details)



# --- motions ------------------------------------------------------------------------------------


def majority_for(meeting: GeneralMeeting, kind: MotionKind) -> dict:
    """The majority and quorum the statutes profile sets for a motion of ``kind``."""
    s = meeting.cooperative.statutes
    if kind in (MotionKind.STATUTE_AMENDMENT, MotionKind.DISSOLUTION):
        # A second meeting decides with the same majority regardless of quorum.
        second = meeting.kind == MeetingKind.SECOND
        return {"majority_num": s.qualified_majority_num, "majority_den": s.qualified_majority_den,
                "is_majority_at_least": True, "quorum_num": 0 if second else s.qualified_quorum_num,
                "quorum_den": s.qualified_quorum_den}
    return {"majority_num": s.ordinary_majority_num, "majority_den": s.ordinary_majority_den,
            "is_majority_at_least": False, "quorum_num": 0, "quorum_den": 1}


def create_motion(item: AgendaItem, data: dict, *, actor, amends: Motion | None = None) -> Motion:
    """``data``: title, text, kind; for kind CUSTOM also majority_num/_den, is_majority_at_least,
    quorum_num/_den and override_reason."""
    meeting = item.meeting
    if item.kind != ItemKind.DECISION:
        raise DomainError(_l("Motions belong to a decision item."))
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.MINUTES_ADOPTED):
        raise DomainError(_l("The meeting is closed."))
    if amends is not None and (amends.item_id != item.id or amends.status != MotionStatus.PROPOSED
                               or amends.amends_id is not None):
        raise DomainError(_l("An amendment changes a proposed motion of the same item."))
    kind = MotionKind(data.get("kind") or "ordinary")
    title, text = (data.get("title") or "").strip(), (data.get("text") or "").strip()
    if not title or not text:
        raise DomainError(_l("A motion needs a title and a text."))
    values = majority_for(meeting, kind)
    reason = (data.get("override_reason") or "").strip() or None
    if kind == MotionKind.CUSTOM:
        if not reason:
            raise DomainError(_l("Say why this motion takes another majority than the statutes."),
                              field="override_reason")
        values = {k: data[k] for k in values if data.get(k) is not None} | {
            k: v for k, v in values.items() if data.get(k) is None}
        try:
            rules.MajorityRule(values["majority_num"], values["majority_den"],
                               quorum_num=values["quorum_num"], quorum_den=values["quorum_den"])
        except ValueError:
            raise DomainError(_l("That majority or quorum is not possible."), field="majority_num") from None
    motion = Motion(cooperative_id=meeting.cooperative_id, meeting_id=meeting.id, item_id=item.id,
                    amends_id=amends.id if amends else None, kind=kind, title=title[:200], text=text,
                    override_reason=reason if kind == MotionKind.CUSTOM else None,
                    created_by_id=getattr(actor, "id", None), **values)
    db.session.add(motion)
    db.session.flush()
    _audit("motion.create", motion, actor, kind=kind.value, amends=motion.amends_id, **values,
           override_reason=motion.override_reason)
    return motion


def withdraw_motion(motion: Motion, *, actor) -> None:
    if motion.status != MotionStatus.PROPOSED:
        raise DomainError(_l("Only a motion that has not been put to the vote can be withdrawn."))
    for m in [motion, *[a for a in motion.amendments if a.status == MotionStatus.PROPOSED]]:
        m.status, m.withdrawn_at = MotionStatus.WITHDRAWN, utcnow()
    db.session.flush()
    _audit("motion.withdraw", motion, actor)


# --- opening ------------------------------------------------------------------------------------


def _window(meeting: GeneralMeeting, opens_at: datetime | None, closes_at: datetime | None, now: datetime):
    s = meeting.cooperative.statutes
    if meeting.status == MeetingStatus.IN_SESSION:
        opens_at = now
        closes_at = closes_at or max(meeting.ends_at, now) + SESSION_GRACE
    elif meeting.status == MeetingStatus.CONVENED:
        if not s.has_electronic_voting:
            raise DomainError(_l("The statutes do not allow voting online before the meeting."))
        earliest = meeting.starts_at - timedelta(days=s.electronic_voting_days_before)
        opens_at = max(opens_at or now, now)
        if opens_at < earliest:
            raise DomainError(_l("Online voting may open at most %(days)d days before the meeting (2:38 BW).",
                                 days=s.electronic_voting_days_before), field="opens_at")
        closes_at = closes_at or meeting.ends_at + SESSION_GRACE
    else:
        raise DomainError(_l("Votes are held from the convocation until the meeting closes."))
    if closes_at <= opens_at:
        raise DomainError(_l("A vote closes after it opens."), field="closes_at")
    return opens_at, closes_at


def open_vote(meeting: GeneralMeeting, *, actor, title: str, kind: VoteKind = VoteKind.MOTION,
              motion: Motion | None = None, options: list[str] | None = None, seats: int = 1,
              is_secret: bool = False, publishes_receipts: bool = True, opens_at: datetime | None = None,
              closes_at: datetime | None = None, rerun_of: Vote | None = None, rerun_reason: str | None = None,
              round: int = 1, now: datetime | None = None) -> Vote:
    """Open a vote and freeze its roll: the members with voting rights on the meeting's record
    date, each with a weight, and the proxy holder who may cast for them (proxies stand still from
    the moment voting opens in the session)."""
    now = now or utcnow()
    if motion is not None:
        kind = VoteKind.MOTION
        if motion.meeting_id != meeting.id:
            raise DomainError(_l("That motion belongs to another meeting."))
        if motion.status != MotionStatus.PROPOSED and rerun_of is None:
            raise DomainError(_l("This motion is not waiting for a vote."))
        pending = [a for a in motion.amendments if a.status in (MotionStatus.PROPOSED, MotionStatus.VOTING)]
        if pending:
            raise DomainError(_l("Vote on the amendments first."))
        title = title or motion.title
    elif kind == VoteKind.MOTION:
        raise DomainError(_l("A vote on a motion needs the motion."))
    options = [o.strip() for o in (options or []) if o and o.strip()]
    if kind != VoteKind.MOTION:
        if len(options) < 2 or len(set(options)) != len(options):
            raise DomainError(_l("Give at least two different options or candidates."), field="options")
        if rules.BLANK in options or any(len(o) > 200 for o in options):
            raise DomainError(_l("That option cannot be used."), field="options")
    if kind in (VoteKind.APPROVAL, VoteKind.STV) and not (1 <= seats < len(options)):
        raise DomainError(_l("There must be more candidates than seats."), field="seats")
    if not (title or "").strip():
        raise DomainError(_l("Give the vote a title."), field="title")
    opens_at, closes_at = _window(meeting, opens_at, closes_at, now)
    if meeting.status == MeetingStatus.IN_SESSION:
        meetings.open_voting(meeting, actor=actor)
    vote = Vote(cooperative_id=meeting.cooperative_id, meeting=meeting, motion=motion, kind=kind,
                title=title.strip()[:200], options_json=json.dumps(options, ensure_ascii=False),
                seats=seats if kind in (VoteKind.APPROVAL, VoteKind.STV) else 1, is_secret=is_secret,
                publishes_receipts=publishes_receipts, round=round, seed=secrets.token_hex(16),
                opens_at=opens_at, closes_at=closes_at, opened_by_id=getattr(actor, "id", None),
                rerun_of=rerun_of, rerun_reason=rerun_reason)
    db.session.add(vote)
    db.session.flush()
    roll = freeze_roll(vote)
    if motion is not None:
        motion.status = MotionStatus.VOTING
    db.session.flush()
    _audit("vote.open", vote, actor, kind=kind.value, secret=is_secret, roll=roll, seed=vote.seed,
           opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat(), motion=motion.id if motion else None,
           rerun_of=rerun_of.id if rerun_of else None, reason=rerun_reason)
    return vote


def freeze_roll(vote: Vote) -> int:
    """Freeze who may vote (voting rights on the record date), with which weight (one member,
    one vote; when the statutes weigh votes, the weight of the member's category) and, once
    voting has opened in the session, the proxy holder who may cast for them."""
    meeting = vote.meeting
    eligible = voting_member_ids_on(meeting.cooperative, meeting.record_on).subquery()
    if meeting.cooperative.statutes.is_vote_weighted:
        weights = dict(db.session.execute(
            select(eligible.c.member_id, func.coalesce(MemberCategory.vote_weight, 1))
            .join(Member, Member.id == eligible.c.member_id)
            .outerjoin(MemberCategory, MemberCategory.id == Member.category_id)).all())
    else:
        weights = dict.fromkeys(db.session.scalars(select(eligible.c.member_id)), 1)
    holders = (_standing_holders(meetings.standing_proxies(meeting), weights.keys())
               if meeting.voting_opened_at is not None else {})
    rows = [{"vote_id": vote.id, "member_id": m, "weight": weights[m], "holder_id": holders.get(m)}
            for m in sorted(weights)]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(RollEntry), rows[start:start + 5000])
    return len(rows)


def _standing_holders(proxies, on_roll) -> dict[int, int]:
    """grantor → holder of the standing ``proxies`` between members on the roll."""
    on_roll = set(on_roll)
    return {p.grantor_id: p.holder_id for p in proxies if p.grantor_id in on_roll and p.holder_id in on_roll}


def fix_proxies(meeting: GeneralMeeting, *, actor=None) -> None:
    """Voting opened in the session: the proxies that stand now are fixed, also on the rolls of
    votes that opened online before the meeting (their holders may now cast for the grantors
    who have not voted themselves)."""
    standing = meetings.standing_proxies(meeting)
    for vote in db.session.scalars(select(Vote).where(Vote.meeting_id == meeting.id,
                                                      Vote.status == VoteStatus.OPEN)):
        on_roll = db.session.scalars(select(RollEntry.member_id).where(RollEntry.vote_id == vote.id))
        holders = _standing_holders(standing, on_roll)
        if holders:  # one statement for all of them (an update by primary key per row)
            db.session.execute(update(RollEntry), [{"vote_id": vote.id, "member_id": g, "holder_id": h}
                                                   for g, h in holders.items()])
            _audit("vote.proxies_fixed", vote, actor, proxies={str(g): h for g, h in sorted(holders.items())})


meetings.on_voting_opened.append(fix_proxies)


def rerun_vote(vote: Vote, *, actor, reason: str, now: datetime | None = None) -> Vote:
    """A closed vote is never reopened: it can be held again as a new vote, with a reason."""
    reason = (reason or "").strip()
    if vote.is_open:
        raise DomainError(_l("Close the vote before holding it again."))
    if not reason:
        raise DomainError(_l("Say why the vote is held again."), field="reason")
    if vote.motion is not None:
        vote.motion.status = MotionStatus.PROPOSED
        _remove_resolution(vote.motion, actor)
    new = open_vote(vote.meeting, actor=actor, title=vote.title, kind=vote.kind, motion=vote.motion,
                    options=vote.options, seats=vote.seats, is_secret=vote.is_secret,
                    publishes_receipts=vote.publishes_receipts, rerun_of=vote, rerun_reason=reason,
                    round=vote.round, now=now)
    _audit("vote.rerun", vote, actor, new_vote=new.id, reason=reason)
    return new


def _remove_resolution(motion: Motion, actor) -> None:
    """A re-run vote takes the earlier decision's link away (the number stays used)."""
    res = db.session.scalar(select(Resolution).where(Resolution.motion_id == motion.id))
    if res is not None:
        res.motion_id = None
        audit.record("voting.resolution.unlinked", actor=actor, cooperative=motion.meeting.cooperative,
                     obj=res, motion=motion.id, number=res.number)


def open_runoff(vote: Vote, *, actor, now: datetime | None = None) -> Vote:
    result = vote.result or {}
    if vote.kind != VoteKind.ELECTION or result.get("outcome") != rules.RUNOFF:
        raise DomainError(_l("This election needs no run-off."))
    return open_vote(vote.meeting, actor=actor, title=vote.title, kind=VoteKind.ELECTION,
                     options=result["runoff"], is_secret=vote.is_secret,
                     publishes_receipts=vote.publishes_receipts, round=vote.round + 1, now=now)


# --- casting ------------------------------------------------------------------------------------


def valid_choice(vote: Vote, choice) -> str:
    """The stored form of ``choice``, or DomainError when it is not on offer (a tampered form)."""
    if vote.kind == VoteKind.MOTION:
        ok = choice in rules.MOTION_CHOICES
    elif vote.kind == VoteKind.APPROVAL:
        picked = sorted(set(choice if isinstance(choice, (list, tuple, set)) else [choice]) - {""})
        if set(picked) <= set(vote.options) and len(picked) <= vote.seats:
            return json.dumps(picked, ensure_ascii=False)
        ok = False
    elif vote.kind == VoteKind.STV:
        # A ranking, best first: only candidates on offer, each once; BLANK (or an empty
        # ranking) is a blank ballot.
        ranking = [] if choice == rules.BLANK else choice
        if (isinstance(ranking, (list, tuple)) and all(isinstance(c, str) for c in ranking)
                and set(ranking) <= set(vote.options)
                and len(set(ranking)) == len(ranking)):
            return json.dumps(list(ranking), ensure_ascii=False)
        ok = False
    else:
        ok = choice in vote.options or choice == rules.BLANK
    if not ok:
        raise DomainError(_l("That choice is not on this ballot."))
    return choice


def still_to_cast(vote: Vote, member: Member, *, lock: bool = False) -> tuple[list[RollEntry], list[RollEntry]]:
    """(the roll entries ``member`` may cast — their own first, then those of the members they
    represent —, those of them without a ballot yet).

    ``lock`` (before casting in this transaction): hold the vote's row in share mode and see its
    current status, as :func:`lock_row` does — on PostgreSQL in the same statement as the roll
    (``FOR SHARE OF vote``, which returns the row as committed after any wait).
    """
    return _in_cast_order(_roll_state(vote, member, lock=lock), member)


def _in_cast_order(state, member: Member) -> tuple[list[RollEntry], list[RollEntry]]:
    """(roll entry, has a ballot) pairs → (the entries, those without a ballot), the member's
    own first, then the members represented."""
    state = sorted(state, key=lambda row: (row[0].member_id != member.id, row[0].member_id))
    return [entry for entry, _voted in state], [entry for entry, voted in state if not voted]


def _cast_for(table):
    """EXISTS: a row of ``table`` (ballots or participations) for the roll entry's member in its
    vote, found through the table's unique index."""
    return select(table.member_id).where(table.vote_id == RollEntry.vote_id,
                                         table.member_id == RollEntry.member_id).exists()


@cache
def _roll_state_statement(secret: bool, lock: bool = False):
    # Built once per kind of vote: each roll entry of the member (own or represented) with
    # whether a ballot (an open vote) or a participation (a secret vote) exists for it, found
    # through the unique index. (The ballot page reads the roll with _ballot_statement.)
    stmt = select(RollEntry, _cast_for(Participation if secret else Ballot)).where(
        RollEntry.vote_id == bindparam("vote_id"),
        (RollEntry.member_id == bindparam("member_id")) | (RollEntry.holder_id == bindparam("member_id")))
    if lock:
        stmt = (stmt.add_columns(Vote.status).join(Vote, Vote.id == RollEntry.vote_id)
                .with_for_update(read=True, of=Vote))
    return stmt


def _roll_state(vote: Vote, member: Member, *, lock: bool = False) -> list[tuple[RollEntry, bool]]:
    """(roll entry, has a ballot) for each entry ``member`` may cast, in no particular order."""
    if lock and db.session.get_bind().dialect.name != "postgresql":
        lock_row(vote, exclusive=False)  # SQLite: the write lock first, then the roll
        lock = False
    rows = db.session.execute(_roll_state_statement(vote.is_secret, lock),
                              {"vote_id": vote.id, "member_id": member.id}).all()
    if lock and rows and rows[0][2] != vote.status:
        db.session.refresh(vote)  # closed (or reopened as a run-off) meanwhile
    return [(row[0], bool(row[1])) for row in rows]


@cache
def _ballot_statement(lock: bool):
    # The ballot page's one read (a voting burst runs it once per ballot): the vote, the user's
    # own member record, and each roll entry the member may cast with whether a ballot (open
    # vote) and whether a participation (secret vote) exists for it, through the unique indexes.
    stmt = (select(Vote, Member, RollEntry, _cast_for(Ballot), _cast_for(Participation))
            .join(Member, (Member.cooperative_id == Vote.cooperative_id) & (Member.user_id == bindparam("user_id")))
            .outerjoin(RollEntry, (RollEntry.vote_id == Vote.id)
                       & ((RollEntry.member_id == Member.id) | (RollEntry.holder_id == Member.id)))
            .where(Vote.id == bindparam("vote_id"), Vote.cooperative_id == bindparam("coop_id")))
    return stmt.with_for_update(read=True, of=Vote) if lock else stmt


def ballot_state(vote_id: int, coop: Cooperative, user, *, lock: bool = False):
    """``(vote, the user's member record, (entries, left) as still_to_cast gives them)`` for the
    ballot page, in one statement; None when the vote is not this cooperative's or the user has
    no member record in it. ``lock`` (to cast): the vote's row is held in share mode and read as
    committed after any wait, as ``still_to_cast(…, lock=True)`` does."""
    on_postgresql = db.session.get_bind().dialect.name == "postgresql"
    rows = db.session.execute(_ballot_statement(lock and on_postgresql),
                              {"vote_id": vote_id, "coop_id": coop.id, "user_id": user.id}).all()
    if not rows:
        return None
    vote, member = rows[0][0], rows[0][1]
    if lock and not on_postgresql:
        lock_row(vote, exclusive=False)  # SQLite: the database's write lock, and the status anew
    state = [(row[2], bool(row[4] if vote.is_secret else row[3])) for row in rows if row[2] is not None]
    return vote, member, _in_cast_order(state, member)


def voted_ids(vote: Vote, member_ids) -> set[int]:
    table = Participation if vote.is_secret else Ballot
    ids = list(member_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(table.member_id).where(table.vote_id == vote.id, table.member_id.in_(ids))))


def _lock_open(vote: Vote, now: datetime, *, exclusive: bool = False) -> None:
    """Refuse outside the window; hold the vote row so that closing waits for ballots being
    cast (and a ballot cast while closing waits and is then refused)."""
    lock_row(vote, exclusive=exclusive)
    _refuse_unless_open(vote, now)


def _refuse_unless_open(vote: Vote, now: datetime) -> None:
    if not vote.is_open:
        raise DomainError(_l("This vote is closed."))
    if not vote.accepts_at(now):
        raise DomainError(_l("This vote is not open now."))


@cache
def _store_statement(table, dialect: str):
    """INSERT of ballots (or participations) that skips a member who has one already and
    returns whom it stored; built once per table and database (``dialect``, the session's,
    is part of the cache key)."""
    stmt, _ = insert_ignoring_duplicates(table)
    return stmt.on_conflict_do_nothing().returning(table.c.member_id)


def cast(vote: Vote, voter: Member, choices: dict[int, object], *, actor, now: datetime | None = None,
         channel: Channel = Channel.ONLINE, locked_state=None) -> dict[int, str]:
    """``voter`` casts, in one step, a ballot for themselves and/or for each member they
    represent (``choices``: member id → choice). Returns the receipt codes of a secret vote
    (member id → code; shown once, only their hash is kept).

    ``locked_state``: what ``still_to_cast(vote, voter, lock=True)`` returned earlier in this
    transaction (the ballot page reads it to build its form); read here otherwise."""
    now = now or utcnow()
    entries, left = locked_state if locked_state is not None else still_to_cast(vote, voter, lock=True)
    _refuse_unless_open(vote, now)
    if not choices:
        raise DomainError(_l("Choose before you vote."))
    allowed = {r.member_id: r for r in entries}
    if not allowed:
        raise DomainError(_l("You are not on the roll of this vote."))
    if any(m not in allowed for m in choices):
        raise DomainError(_l("You do not represent that member in this vote."))
    stored = {m: valid_choice(vote, c) for m, c in choices.items()}
    if set(stored) - {r.member_id for r in left}:
        raise DomainError(_l("A ballot has already been cast for this member."))
    receipts = {}
    today = meetings.local_day(now)
    rows, secret_rows = [], []
    for m, choice in stored.items():
        how = Channel.PROXY if m != voter.id else channel
        by = voter.id if m != voter.id else None
        if vote.is_secret:
            code = secrets.token_hex(6).upper()
            receipts[m] = "-".join(code[i:i + 4] for i in range(0, 12, 4))
            rows.append({"vote_id": vote.id, "member_id": m, "channel": how, "cast_by_member_id": by, "cast_on": today})
            secret_rows.append({"id": uuid.uuid4().hex, "vote_id": vote.id, "choice": choice,
                                "weight": allowed[m].weight, "receipt_hash": rules.receipt_hash(receipts[m]),
                                "is_paper": False, "cast_on": today})
        else:
            rows.append({"vote_id": vote.id, "member_id": m, "choice": choice, "weight": allowed[m].weight,
                         "channel": how, "cast_by_member_id": by, "cast_by_user_id": None, "cast_at": now})
    # Plain inserts of the tables (no objects to track: nothing reads them back here). A ballot
    # (or participation) that another request stored meanwhile for one of these members is
    # skipped by the unique constraint, not an error that would end the transaction; then this
    # call takes back what it did store, and refuses.
    table = (Participation if vote.is_secret else Ballot).__table__
    stored_for = set(db.session.execute(_store_statement(table, db.session.get_bind().dialect.name), rows).scalars())
    if stored_for != set(stored):
        if stored_for:
            db.session.execute(delete(table).where(table.c.vote_id == vote.id, table.c.member_id.in_(stored_for)))
        raise DomainError(_l("A ballot has already been cast for this member."))
    if secret_rows:
        db.session.execute(insert(SecretBallot.__table__), secret_rows)
    # Who cast for whom, never what: an open vote's choices are shown to members after closing
    # (the ballot rows are the record), and the audit log is readable while the vote is open.
    _audit("vote.cast", vote, actor, members=sorted(stored), by=voter.id, channel=channel.value)
    return receipts


def record_paper_ballots(vote: Vote, entries: dict[int, str], *, actor, now: datetime | None = None) -> int:
    """Open vote in the room: the board enters each member's paper ballot."""
    now = now or utcnow()
    if vote.is_secret:
        raise DomainError(_l("A secret vote is entered as counted totals."))
    _lock_open(vote, now)
    on_roll = dict(db.session.execute(select(RollEntry.member_id, RollEntry.weight)
                                      .where(RollEntry.vote_id == vote.id,
                                             RollEntry.member_id.in_(list(entries)))).all())
    if set(entries) - set(on_roll):
        raise DomainError(_l("That member is not on the roll of this vote."))
    stored = {m: valid_choice(vote, c) for m, c in entries.items()}
    if voted_ids(vote, stored):
        raise DomainError(_l("A ballot has already been cast for this member."))
    try:
        with db.session.begin_nested():
            for m, choice in stored.items():
                db.session.add(Ballot(vote_id=vote.id, member_id=m, choice=choice, weight=on_roll[m],
                                      channel=Channel.PAPER, cast_by_user_id=getattr(actor, "id", None),
                                      cast_at=now))
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("A ballot has already been cast for this member.")) from None
    _audit("vote.paper", vote, actor, choices={str(m): c for m, c in sorted(stored.items())})
    return len(stored)


PAPER_MESSAGES = {
    "negative": _l("Counts cannot be negative."),
    "exceeds_handed_out": _l("More ballots were counted than ballot papers were handed out."),
    "exceeds_present": _l("More ballot papers were handed out than members are present or represented."),
}


def record_paper_totals(vote: Vote, totals: dict[str, int], handed_out: int, *, actor,
                        now: datetime | None = None) -> None:
    """Secret vote in the room: the counted totals, checked against the ballot papers handed out
    and those against the members present plus represented."""
    now = now or utcnow()
    if not vote.is_secret:
        raise DomainError(_l("An open vote is entered per member."))
    if vote.kind in (VoteKind.APPROVAL, VoteKind.STV):
        raise DomainError(_l("Ballots electing several people are cast online or by proxy."))
    _lock_open(vote, now, exclusive=True)
    if vote.papers_handed_out is not None:
        raise DomainError(_l("The paper count of this vote has already been entered."))
    for choice in totals:
        valid_choice(vote, choice)
    present = meetings.live_counts(vote.meeting, now=now)["total"]
    refusal = rules.paper_totals_refusal(totals, handed_out=handed_out, present_plus_represented=present)
    if refusal:
        raise DomainError(PAPER_MESSAGES[refusal], field="handed_out")
    today = meetings.local_day(now)
    rows = [{"id": uuid.uuid4().hex, "vote_id": vote.id, "choice": c, "weight": 1, "receipt_hash": None,
             "is_paper": True, "cast_on": today} for c, n in totals.items() for _ in range(n)]
    if rows:
        db.session.execute(insert(SecretBallot), rows)
    vote.papers_handed_out = handed_out
    db.session.flush()
    _audit("vote.paper_totals", vote, actor, totals=totals, handed_out=handed_out, present=present)


# --- closing and counting -----------------------------------------------------------------------


def stored_ballots(vote: Vote) -> list[tuple[str, int]]:
    table = SecretBallot if vote.is_secret else Ballot
    return [tuple(r) for r in db.session.execute(select(table.choice, table.weight).where(table.vote_id == vote.id))]


def stored_roll(vote: Vote) -> list[tuple[int, int, bool]]:
    """(member id, weight, present or represented at closing) of every roll entry."""
    return [tuple(r) for r in db.session.execute(
        select(RollEntry.member_id, RollEntry.weight, RollEntry.present).where(RollEntry.vote_id == vote.id))]


def mark_present(vote: Vote, now: datetime) -> None:
    """Record on the roll who is present or represented as the vote closes: checked in or online
    at the meeting, represented by a proxy holder who is, or having handed in a ballot (online
    before the meeting, by proxy or on paper)."""
    room, online = meetings.present_ids(vote.meeting, now=now)
    there = room | online
    represented = {g for g, _h in meetings_rules.represented(
        [(p.grantor_id, p.holder_id) for p in meetings.standing_proxies(vote.meeting)], there)}
    ids = sorted(there | represented)
    for start in range(0, len(ids), 5000):
        db.session.execute(update(RollEntry).where(RollEntry.vote_id == vote.id,
                                                   RollEntry.member_id.in_(ids[start:start + 5000]))
                           .values(present=True))
    table = Participation if vote.is_secret else Ballot
    db.session.execute(update(RollEntry).where(
        RollEntry.vote_id == vote.id,
        RollEntry.member_id.in_(select(table.member_id).where(table.vote_id == vote.id))).values(present=True))


def turnout(vote: Vote) -> dict:
    if vote.is_secret:
        by = dict(db.session.execute(select(Participation.channel, func.count()).where(
            Participation.vote_id == vote.id).group_by(Participation.channel)).all())
        paper = db.session.scalar(select(func.count()).select_from(SecretBallot).where(
            SecretBallot.vote_id == vote.id, SecretBallot.is_paper.is_(True)))
        by = {c.value: by.get(c, 0) for c in Channel} | {Channel.PAPER.value: paper}
    else:
        got = dict(db.session.execute(select(Ballot.channel, func.count()).where(
            Ballot.vote_id == vote.id).group_by(Ballot.channel)).all())
        by = {c.value: got.get(c, 0) for c in Channel}
    return {"by_channel": by, "voted": sum(by.values())}


def compute(vote: Vote, roll: list[tuple], ballots: list[tuple[str, int]]) -> dict:
    """The outcome of ``vote`` from its roll and ballots (pure but for the vote's settings)."""
    roll_weight = sum(w for _m, w, *_p in roll)
    present_weight = sum(w for _m, w, *present in roll if present and present[0])
    base = {"kind": vote.kind.value, "eligible": len(roll), "roll_weight": roll_weight}
    if vote.kind == VoteKind.MOTION:
        m = vote.motion
        rule = rules.MajorityRule(m.majority_num, m.majority_den, at_least=m.is_majority_at_least,
                                  quorum_num=m.quorum_num, quorum_den=m.quorum_den,
                                  blank_counts_as_cast=vote.meeting.cooperative.statutes.is_blank_counted_as_cast,
                                  tie_rejected=vote.meeting.cooperative.statutes.is_tie_rejected)
        return base | rules.tally_motion(ballots, roll_weight=roll_weight, rule=rule,
                                         present_weight=present_weight).as_dict()
    if vote.kind == VoteKind.ELECTION:
        runoff_allowed = vote.meeting.cooperative.statutes.has_election_runoff
        r = rules.tally_election(ballots, vote.options, seed=vote.seed, is_runoff=vote.round > 1,
                                 runoff_allowed=runoff_allowed)
        return base | r.as_dict() | {"seed": vote.seed}
    if vote.kind == VoteKind.APPROVAL:
        r = rules.tally_approval([(json.loads(c), w) for c, w in ballots], vote.options, vote.seats, seed=vote.seed)
        return base | r.as_dict() | {"seed": vote.seed}
    if vote.kind == VoteKind.STV:
        r = rules.tally_stv([(json.loads(c), w) for c, w in ballots], vote.options, vote.seats, seed=vote.seed)
        return base | r.as_dict() | {"seed": vote.seed}
    counts = rules.tally_poll(ballots, vote.options)
    return base | {"outcome": "counted", "counts": counts, "cast": sum(counts.values())}


def close_vote(vote: Vote, *, actor, now: datetime | None = None) -> dict:
    """Freeze the result: tally, SHA-256 over roll, ballots and outcome; an adopted motion enters
    the resolutions register. Secret ballots are rewritten in the order of their random keys."""
    now = now or utcnow()
    lock_row(vote)  # ballots being cast finish first; a second close waits and is refused
    if not vote.is_open:
        raise DomainError(_l("This vote is already closed; it can only be held again as a new vote."))
    if vote.meeting.status in (MeetingStatus.DRAFT, MeetingStatus.CONVENED):
        raise DomainError(_l("Votes are closed at the meeting (online votes count as cast there)."))
    if vote.is_secret:
        _shuffle_secret_ballots(vote)
    mark_present(vote, now)
    roll, ballots = stored_roll(vote), stored_ballots(vote)
    outcome = compute(vote, roll, ballots)
    outcome["turnout"] = turnout(vote)
    vote.result_json = json.dumps(outcome, sort_keys=True, ensure_ascii=False)
    vote.result_hash = rules.result_hash(roll, ballots, outcome)
    vote.status, vote.closed_at, vote.closed_by_id = VoteStatus.CLOSED, now, getattr(actor, "id", None)
    db.session.flush()
    _audit("vote.close", vote, actor, hash=vote.result_hash, outcome=outcome.get("outcome"))
    if vote.motion is not None:
        _decide(vote, outcome, actor)
    return outcome


def _decide(vote: Vote, outcome: dict, actor) -> None:
    motion = vote.motion
    motion.status = {rules.ADOPTED: MotionStatus.ADOPTED, rules.REJECTED: MotionStatus.REJECTED,
                     rules.NO_QUORUM: MotionStatus.NO_QUORUM}[outcome["outcome"]]
    db.session.flush()
    _audit("motion.decided", motion, actor, status=motion.status.value, vote=vote.id)
    if motion.status == MotionStatus.ADOPTED and not motion.is_amendment:
        res = meetings.record_resolution(vote.meeting, title=motion.title, text=motion.text, actor=actor,
                                         item=motion.item)
        res.motion_id = motion.id
        db.session.flush()


def _shuffle_secret_ballots(vote: Vote) -> None:
    """Rewrite the ballots in one statement, in the order of their random keys: afterwards no
    physical position or row transaction tells the order in which they were cast."""
    rows = [{"id": b.id, "vote_id": b.vote_id, "choice": b.choice, "weight": b.weight,
             "receipt_hash": b.receipt_hash, "is_paper": b.is_paper, "cast_on": b.cast_on}
            for b in db.session.scalars(select(SecretBallot).where(SecretBallot.vote_id == vote.id))]
    db.session.execute(delete(SecretBallot).where(SecretBallot.vote_id == vote.id))
    db.session.expire_all()
    rows.sort(key=lambda r: r["id"])
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(SecretBallot), rows[start:start + 5000])


def recount(vote: Vote) -> tuple[bool, dict | None, dict]:
    """Count again from the stored roll and ballots: (equal to the frozen result and hash,
    frozen outcome, recounted outcome)."""
    roll, ballots = stored_roll(vote), stored_ballots(vote)
    again = compute(vote, roll, ballots)
    again["turnout"] = turnout(vote)
    frozen = vote.result
    same = (frozen is not None and json.loads(json.dumps(again, sort_keys=True)) == frozen
            and rules.result_hash(roll, ballots, frozen) == vote.result_hash)
    return same, frozen, again


def receipts_list(vote: Vote) -> list[tuple[str, str]]:
    """After closing, when the vote publishes receipts: (receipt hash, choice) of every online
    secret ballot, sorted by the hash."""
    if not vote.is_secret or vote.is_open or not vote.publishes_receipts:
        return []
    return [tuple(r) for r in db.session.execute(
        select(SecretBallot.receipt_hash, SecretBallot.choice).where(
            SecretBallot.vote_id == vote.id, SecretBallot.receipt_hash.is_not(None))
        .order_by(SecretBallot.receipt_hash))]


def roll_call(vote: Vote) -> list[Ballot]:
    """The ballots of an open vote, by member (shown to members after closing)."""
    if vote.is_secret:
        return []
    return list(db.session.scalars(select(Ballot).where(Ballot.vote_id == vote.id).order_by(Ballot.member_id)))


def needs_my_vote(member: Member, *, now: datetime | None = None) -> list[tuple[Vote, list[RollEntry]]]:
    """Open votes in which ``member`` can still cast a ballot (their own or by proxy)."""
    now = now or utcnow()
    votes = db.session.scalars(
        select(Vote).join(RollEntry, RollEntry.vote_id == Vote.id)
        .where(Vote.status == VoteStatus.OPEN, Vote.opens_at <= now, Vote.closes_at > now,
               (RollEntry.member_id == member.id) | (RollEntry.holder_id == member.id))
        .distinct().order_by(Vote.closes_at)).all()
    out = []
    for vote in votes:
        left = still_to_cast(vote, member)[1]
        if left:
            out.append((vote, left))
    return out
