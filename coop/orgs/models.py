"""Cooperatives, municipalities, the statutes profile and role assignments."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.core.db import str_enum, utcnow
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db


class Domain(enum.Enum):
    ENERGY = "energy"
    CARE = "care"
    HOUSING = "housing"
    OTHER = "other"


DOMAIN_LABELS = {
    Domain.ENERGY: _l("Energy"),
    Domain.CARE: _l("Care"),
    Domain.HOUSING: _l("Housing"),
    Domain.OTHER: _l("Other"),
}


class Role(enum.Enum):
    BOARD = "board"
    MEMBER = "member"
    AUDITOR = "auditor"
    LIAISON = "liaison"
    ADMIN = "admin"


#: Roles held within a cooperative; LIAISON is held within a municipality; ADMIN platform-wide.
COOP_ROLES = frozenset({Role.BOARD, Role.MEMBER, Role.AUDITOR})

ROLE_LABELS = {
    Role.BOARD: _l("Board"),
    Role.MEMBER: _l("Member"),
    Role.AUDITOR: _l("Auditor"),
    Role.LIAISON: _l("Liaison"),
    Role.ADMIN: _l("Administrator"),
}


class BoardPosition(enum.Enum):
    CHAIR = "chair"
    SECRETARY = "secretary"
    TREASURER = "treasurer"
    MEMBER = "member"


BOARD_POSITION_LABELS = {
    BoardPosition.CHAIR: _l("Chair"),
    BoardPosition.SECRETARY: _l("Secretary"),
    BoardPosition.TREASURER: _l("Treasurer"),
    BoardPosition.MEMBER: _l("Board member"),
}


class DomainFlags:
    """Which of the domains (energy, care, housing, other) something belongs to."""

    has_energy: Mapped[bool] = mapped_column(default=False)
    has_care: Mapped[bool] = mapped_column(default=False)
    has_housing: Mapped[bool] = mapped_column(default=False)
    has_other: Mapped[bool] = mapped_column(default=False)

    @property
    def domains(self) -> list[Domain]:
        return [d for d in Domain if getattr(self, f"has_{d.value}")]

    @domains.setter
    def domains(self, values) -> None:
        chosen = {Domain(v) for v in values}
        for d in Domain:
            setattr(self, f"has_{d.value}", d in chosen)


def domain_column(domain: Domain):
    """The flag column of ``domain`` on a model with DomainFlags (for filters)."""
    return f"has_{Domain(domain).value}"


class Municipality(db.Model):
    __tablename__ = "municipality"
    __table_args__ = (
        CheckConstraint("length(cbs_code) = 6 AND substr(cbs_code, 1, 2) = 'GM'", name="cbs_code"),
        CheckConstraint("length(slug) >= 2", name="slug_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: URL name, e.g. ``groningen`` in ``/m/groningen/``.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    #: Statistics Netherlands code: ``GM`` and four digits, e.g. ``GM0014`` for Groningen.
    cbs_code: Mapped[str] = mapped_column(String(6), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cooperatives: Mapped[list[Cooperative]] = relationship(back_populates="municipality")

    def __repr__(self) -> str:
        return f"<Municipality {self.slug}>"


class Cooperative(DomainFlags, db.Model):
    __tablename__ = "cooperative"
    __table_args__ = (
        CheckConstraint("length(kvk_number) = 8", name="kvk_number"),
        CheckConstraint("length(slug) >= 2", name="slug_length"),
        CheckConstraint("has_energy OR has_care OR has_housing OR has_other", name="some_domain"),
        CheckConstraint("last_member_number >= 0", name="last_member_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: URL name, e.g. ``zonnedak`` in ``/c/zonnedak/``.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    #: Chamber of Commerce (KvK) number: exactly eight digits.
    kvk_number: Mapped[str] = mapped_column(String(8), unique=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    founded_on: Mapped[date | None]
    #: The highest membership number given so far: numbers are never reused.
    last_member_number: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipality: Mapped[Municipality] = relationship(back_populates="cooperatives")
    statutes: Mapped[StatutesProfile] = relationship(
        back_populates="cooperative", cascade="all, delete-orphan", uselist=False
    )

    def __repr__(self) -> str:
        return f"<Cooperative {self.slug}>"


class StatutesProfile(db.Model):
    """The rules a cooperative's statutes may set, with the legal defaults of DOMAIN.md."""

    __tablename__ = "statutes_profile"
    __table_args__ = (
        CheckConstraint("ordinary_majority_num > 0 AND ordinary_majority_num < ordinary_majority_den", name="ordinary_majority"),
        CheckConstraint("qualified_majority_num > 0 AND qualified_majority_num <= qualified_majority_den", name="qualified_majority"),
        CheckConstraint("qualified_quorum_num >= 0 AND qualified_quorum_num <= qualified_quorum_den", name="qualified_quorum"),
        CheckConstraint("convocation_days >= 7", name="convocation_days"),
        CheckConstraint("amendment_convocation_days >= 7", name="amendment_convocation_days"),
        CheckConstraint("amendment_text_days >= 5", name="amendment_text_days"),
        CheckConstraint("electronic_voting_days_before BETWEEN 0 AND 30", name="electronic_voting_days"),
        CheckConstraint("max_proxies_per_holder >= 0", name="max_proxies"),
        CheckConstraint("notice_period_weeks >= 0", name="notice_period"),
        CheckConstraint("financial_year_end_month BETWEEN 1 AND 12", name="fy_month"),
        CheckConstraint("financial_year_end_day BETWEEN 1 AND 31", name="fy_day"),
        CheckConstraint("expulsion_appeal_months >= 1", name="appeal_months"),
        CheckConstraint("second_meeting_within_weeks >= 1", name="second_meeting_weeks"),
        CheckConstraint("financial_retention_years >= 7", name="financial_retention"),
        CheckConstraint("member_retention_years >= 0", name="member_retention"),
        CheckConstraint("proposal_min_members >= 0", name="proposal_min_members"),
        CheckConstraint("proposal_min_percent BETWEEN 0 AND 100", name="proposal_min_percent"),
    )

    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperative.id", ondelete="CASCADE"), primary_key=True
    )
    #: Votes weighted by data (member category, shares) instead of one member, one vote.
    is_vote_weighted: Mapped[bool] = mapped_column(default=False)
    #: Ordinary decisions: MORE than num/den of the votes cast (default: more than half).
    ordinary_majority_num: Mapped[int] = mapped_column(default=1)
    ordinary_majority_den: Mapped[int] = mapped_column(default=2)
    #: Qualified decisions (statutes, dissolution, merger): AT LEAST num/den of votes cast.
    qualified_majority_num: Mapped[int] = mapped_column(default=2)
    qualified_majority_den: Mapped[int] = mapped_column(default=3)
    #: Quorum for qualified decisions: num/den of members present or represented (0 = none).
    qualified_quorum_num: Mapped[int] = mapped_column(default=2)
    qualified_quorum_den: Mapped[int] = mapped_column(default=3)
    #: A second meeting without quorum must be held within this many weeks.
    second_meeting_within_weeks: Mapped[int] = mapped_column(default=6)
    #: A tie on a proposal means it is rejected.
    is_tie_rejected: Mapped[bool] = mapped_column(default=True)
    #: Blank and invalid votes count as not cast.
    is_blank_counted_as_cast: Mapped[bool] = mapped_column(default=False)
    #: Elections: absolute majority, else a run-off between the two with most votes.
    has_election_runoff: Mapped[bool] = mapped_column(default=True)
    #: Votes about people are secret.
    is_people_vote_secret: Mapped[bool] = mapped_column(default=True)
    has_proxies: Mapped[bool] = mapped_column(default=True)
    max_proxies_per_holder: Mapped[int] = mapped_column(default=1)
    #: Days between convocation and meeting (2:41 BW: at least 7; 14 is common).
    convocation_days: Mapped[int] = mapped_column(default=7)
    #: Statute amendments (2:42 BW): convocation days and days the text lies available.
    amendment_convocation_days: Mapped[int] = mapped_column(default=7)
    amendment_text_days: Mapped[int] = mapped_column(default=5)
    #: Members may put an item on the agenda when N members OR P % of the members sign it
    #: (whichever is fewer; 0 switches that route off).
    proposal_min_members: Mapped[int] = mapped_column(default=10, server_default="10")
    proposal_min_percent: Mapped[int] = mapped_column(default=10, server_default="10")
    #: Electronic votes allowed before the meeting (2:38 BW), and how many days before (≤ 30).
    has_electronic_voting: Mapped[bool] = mapped_column(default=False)
    electronic_voting_days_before: Mapped[int] = mapped_column(default=30)
    #: The board decides on admission (2:33 BW) unless the statutes say otherwise.
    is_admission_by_board: Mapped[bool] = mapped_column(default=True)
    #: A member's notice: weeks of notice, effective at the end of the financial year.
    notice_period_weeks: Mapped[int] = mapped_column(default=4)
    is_notice_at_year_end: Mapped[bool] = mapped_column(default=True)
    financial_year_end_month: Mapped[int] = mapped_column(default=12)
    financial_year_end_day: Mapped[int] = mapped_column(default=31)
    #: Months an expelled member has to appeal to the general meeting (2:35 BW: ≥ 1).
    expulsion_appeal_months: Mapped[int] = mapped_column(default=1)
    #: Years that data of former members is kept; financial records at least 7 (tax law).
    member_retention_years: Mapped[int] = mapped_column(default=2)
    financial_retention_years: Mapped[int] = mapped_column(default=7)

    cooperative: Mapped[Cooperative] = relationship(back_populates="statutes")


class RoleScope:
    """A role and where it holds (a cooperative, a municipality or the platform): shared by
    role assignments and invitations, with the CHECK rules below."""

    role: Mapped[Role] = mapped_column(str_enum(Role, 16))
    cooperative_id: Mapped[int | None] = mapped_column(
        ForeignKey("cooperative.id", ondelete="CASCADE"), index=True
    )
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), index=True
    )
    #: Only for the board role: chair, secretary, treasurer or member of the board.
    board_position: Mapped[BoardPosition | None] = mapped_column(str_enum(BoardPosition, 16))


#: Which roles need a cooperative, a municipality or neither (role assignments, invitations).
ROLE_SCOPE_RULE = (
    "(role IN ('board', 'member', 'auditor') AND cooperative_id IS NOT NULL AND municipality_id IS NULL)"
    " OR (role = 'liaison' AND municipality_id IS NOT NULL AND cooperative_id IS NULL)"
    " OR (role = 'admin' AND cooperative_id IS NULL AND municipality_id IS NULL)"
)
#: Only board members have a board position.
BOARD_POSITION_RULE = "(role = 'board') = (board_position IS NOT NULL)"


class RoleAssignment(RoleScope, db.Model):
    """A user's role: board/member/auditor of a cooperative, liaison of a municipality, or admin."""

    __tablename__ = "role_assignment"
    __table_args__ = (
        CheckConstraint(ROLE_SCOPE_RULE, name="scope"),
        CheckConstraint(BOARD_POSITION_RULE, name="board_position"),
        Index(
            "uq_role_assignment_coop", "user_id", "role", "cooperative_id", unique=True,
            sqlite_where=text("cooperative_id IS NOT NULL"),
            postgresql_where=text("cooperative_id IS NOT NULL"),
        ),
        Index(
            "uq_role_assignment_muni", "user_id", "role", "municipality_id", unique=True,
            sqlite_where=text("municipality_id IS NOT NULL"),
            postgresql_where=text("municipality_id IS NOT NULL"),
        ),
        Index(
            "uq_role_assignment_platform", "user_id", "role", unique=True,
            sqlite_where=text("cooperative_id IS NULL AND municipality_id IS NULL"),
            postgresql_where=text("cooperative_id IS NULL AND municipality_id IS NULL"),
        ),
        # A cooperative's board (its home page) or auditors without reading every member's
        # assignment; also serves every lookup by cooperative alone.
        Index("ix_role_assignment_cooperative_role", "cooperative_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Indexed together with the role (above).
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped["User"] = relationship(back_populates="roles")  # noqa: F821
    cooperative: Mapped[Cooperative | None] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
