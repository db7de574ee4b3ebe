"""Shared assets and what hangs off them: participations, readings, distributions, bookings,
dwellings, upkeep. Money is integer cents; energy integer kWh; ``_at`` UTC, ``_on`` dates."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer,
                        String, Text, UniqueConstraint, text)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.core.db import str_enum, utcnow
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.members.models import LedgerLine, Member, ShareTransactionKind


class AssetKind(enum.Enum):
    SOLAR = "solar"
    WIND = "wind"
    BATTERY = "battery"
    HEAT_NETWORK = "heat_network"
    BUILDING = "building"
    DWELLING = "dwelling"
    VEHICLE = "vehicle"
    ROOM = "room"
    EQUIPMENT = "equipment"
    OTHER = "other"


KIND_LABELS = {
    AssetKind.SOLAR: _l("Solar installation"),
    AssetKind.WIND: _l("Wind turbine"),
    AssetKind.BATTERY: _l("Battery"),
    AssetKind.HEAT_NETWORK: _l("Heat network"),
    AssetKind.BUILDING: _l("Building"),
    AssetKind.DWELLING: _l("Dwelling"),
    AssetKind.VEHICLE: _l("Vehicle"),
    AssetKind.ROOM: _l("Room"),
    AssetKind.EQUIPMENT: _l("Equipment"),
    AssetKind.OTHER: _l("Other"),
}
#: Kinds with a capacity, an EAN code and production readings.
ENERGY_KINDS = {AssetKind.SOLAR, AssetKind.WIND, AssetKind.BATTERY, AssetKind.HEAT_NETWORK}


class AssetStatus(enum.Enum):
    PLANNED = "planned"
    IN_OPERATION = "in_operation"
    OUT_OF_SERVICE = "out_of_service"
    SOLD = "sold"


STATUS_LABELS = {
    AssetStatus.PLANNED: _l("Planned"),
    AssetStatus.IN_OPERATION: _l("In operation"),
    AssetStatus.OUT_OF_SERVICE: _l("Out of service"),
    AssetStatus.SOLD: _l("Sold"),
}


class Asset(db.Model):
    """Something the cooperative owns together: a solar roof, a turbine, a car, a room …"""

    __tablename__ = "asset"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "name", name="uq_asset_coop_name"),
        CheckConstraint("value_cents IS NULL OR value_cents >= 0", name="value_not_negative"),
        CheckConstraint("capacity_watts IS NULL OR capacity_watts > 0", name="capacity_positive"),
        CheckConstraint("unit_price_cents IS NULL OR unit_price_cents > 0", name="unit_price_positive"),
        CheckConstraint("min_units_per_member >= 0", name="min_units_not_negative"),
        CheckConstraint("max_units_per_member IS NULL OR max_units_per_member >= min_units_per_member",
                        name="max_units_above_min"),
        CheckConstraint("max_hours_per_month IS NULL OR max_hours_per_month > 0", name="max_hours_positive"),
        CheckConstraint("max_open_bookings IS NULL OR max_open_bookings > 0", name="max_open_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AssetKind] = mapped_column(str_enum(AssetKind, 16))
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[AssetStatus] = mapped_column(str_enum(AssetStatus, 16), default=AssetStatus.PLANNED)
    #: Street, number, postcode and place as one text.
    address: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    commissioned_on: Mapped[date | None]
    #: Book or replacement value in euro cents.
    value_cents: Mapped[int | None] = mapped_column(BigInteger)
    #: Peak capacity in watts (kWp for solar, kW otherwise), shown in kW.
    capacity_watts: Mapped[int | None] = mapped_column(BigInteger)
    #: 18-digit EAN code of the grid connection (check digit validated).
    ean_code: Mapped[str | None] = mapped_column(String(18))
    #: The board member (user) who looks after it and gets the upkeep reminders.
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    description: Mapped[str | None] = mapped_column(Text)
    # participations ------------------------------------------------------------------------
    #: Price of one participation unit in cents; None: no participations in this asset.
    unit_price_cents: Mapped[int | None] = mapped_column(Integer)
    #: Units that can be held in total (None: no limit).
    units_available: Mapped[int | None] = mapped_column(Integer)
    min_units_per_member: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    max_units_per_member: Mapped[int | None] = mapped_column(Integer)
    #: Postcoderoos: space-separated 4-digit areas a participant must live in ("" = anyone).
    postcode_areas: Mapped[str] = mapped_column(String(400), default="", server_default="")
    # bookings ------------------------------------------------------------------------------
    is_bookable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    #: Fair use: hours a member may book per calendar month (None: no limit).
    max_hours_per_month: Mapped[int | None] = mapped_column(Integer)
    #: Fair use: bookings a member may have that have not ended yet (None: no limit).
    max_open_bookings: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    responsible = relationship("User", foreign_keys=[responsible_user_id])

    @property
    def has_participations(self) -> bool:
        return self.unit_price_cents is not None

    @property
    def is_energy(self) -> bool:
        return self.kind in ENERGY_KINDS

    @property
    def areas(self) -> list[str]:
        return self.postcode_areas.split() if self.postcode_areas else []


PARTICIPATION_KIND_LABELS = {
    ShareTransactionKind.ISSUE: _l("Subscription"),
    ShareTransactionKind.TRANSFER: _l("Transfer"),
    ShareTransactionKind.REDEMPTION: _l("Redemption"),
}


class ParticipationMutation(LedgerLine, db.Model):
    """One line of an asset's participation ledger (subscribe, transfer, redeem), kept as the
    share ledger is (same columns, kinds and statuses)."""

    __tablename__ = "participation_mutation"
    __table_args__ = (
        *LedgerLine.checks(),
        Index("ix_participation_mutation_asset", "asset_id", "status", "effective_on"),
        Index("ix_participation_mutation_member", "member_id", "status"),
        Index("ix_participation_mutation_counterparty", "counterparty_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))

    asset: Mapped[Asset] = relationship()


class EmissionFactor(db.Model):
    """Grams of CO₂ avoided per kWh produced, per year, with where the figure comes from."""

    __tablename__ = "emission_factor"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "year", name="uq_emission_factor_coop_year"),
        CheckConstraint("grams_per_kwh >= 0", name="grams_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    grams_per_kwh: Mapped[int] = mapped_column(Integer)
    #: Where the figure comes from, e.g. "CBS, elektriciteitsmix 2024".
    source: Mapped[str] = mapped_column(String(200))


class Reading(db.Model):
    """A meter reading (kWh) of an asset on a day."""

    __tablename__ = "asset_reading"
    __table_args__ = (
        UniqueConstraint("asset_id", "read_on", name="uq_asset_reading_asset_day"),
        CheckConstraint("meter_kwh >= 0", name="meter_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    read_on: Mapped[date]
    meter_kwh: Mapped[int] = mapped_column(BigInteger)
    #: A new meter was placed: its reading may be lower than the previous one.
    is_meter_replacement: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DistributionStatus(enum.Enum):
    DRAFT = "draft"
    APPROVED = "approved"


DISTRIBUTION_STATUS_LABELS = {
    DistributionStatus.DRAFT: _l("Draft, to review"),
    DistributionStatus.APPROVED: _l("Approved"),
}


class Distribution(db.Model):
    """Revenue of an asset over a period, shared among its participants. Frozen once approved."""

    __tablename__ = "distribution"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("period_end_on >= period_start_on", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    period_start_on: Mapped[date]
    period_end_on: Mapped[date]
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    #: When the amount came from production: the kWh and the price per kWh (tenths of a cent).
    kwh: Mapped[int | None] = mapped_column(BigInteger)
    price_per_kwh_millis: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))
    status: Mapped[DistributionStatus] = mapped_column(
        str_enum(DistributionStatus, 16), default=DistributionStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[datetime | None]

    asset: Mapped[Asset] = relationship()

    @property
    def is_frozen(self) -> bool:
        return self.status == DistributionStatus.APPROVED


class DistributionShare(db.Model):
    """One member's part of a distribution (computed when the draft is made)."""

    __tablename__ = "distribution_share"
    __table_args__ = (
        UniqueConstraint("distribution_id", "member_id", name="uq_distribution_share_member"),
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        CheckConstraint("unit_days > 0", name="unit_days_positive"),
        Index("ix_distribution_share_member", "member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    distribution_id: Mapped[int] = mapped_column(ForeignKey("distribution.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    #: Units × days held within the period (the weight of this share).
    unit_days: Mapped[int] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)

    distribution: Mapped[Distribution] = relationship()
    member: Mapped[Member] = relationship()


class BookingStatus(enum.Enum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class Booking(db.Model):
    """A member's reservation of a bookable asset. Active bookings of one asset never overlap:
    on PostgreSQL an exclusion constraint guarantees it; on SQLite writers are serialised."""

    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_booking_asset_time", "asset_id", "status", "starts_at"),
        Index("ix_booking_member_time", "member_id", "status", "starts_at"),
        ExcludeConstraint(
            ("asset_id", "="), (text("tstzrange(starts_at, ends_at, '[)')"), "&&"),
            where=text("status = 'active'"), using="gist", name="ex_booking_no_overlap",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus, 16), default=BookingStatus.ACTIVE)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    asset: Mapped[Asset] = relationship()
    member: Mapped[Member] = relationship()


class DwellingAllocation(db.Model):
    """A dwelling let to a member (household) from ``starts_on`` until ``ends_on`` (included)."""

    __tablename__ = "dwelling_allocation"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period_order"),
        Index("ix_dwelling_allocation_asset", "asset_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    #: Who else lives there (household), free text.
    household: Mapped[str | None] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    asset: Mapped[Asset] = relationship()
    member: Mapped[Member] = relationship()


class WaitingListEntry(db.Model):
    """A member waiting for a dwelling; the list is ordered by registration date."""

    __tablename__ = "waiting_list_entry"
    __table_args__ = (
        Index("ix_waiting_list_entry_coop", "cooperative_id", "registered_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), unique=True)
    registered_on: Mapped[date]
    #: The member's wishes: size, floor, neighbourhood …
    preferences: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship()


class MaintenanceTask(db.Model):
    """Planned maintenance (with a due date) or a log entry of work done (``done_on`` set)."""

    __tablename__ = "maintenance_task"
    __table_args__ = (
        Index("ix_maintenance_task_due", "cooperative_id", "done_on", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None]
    done_on: Mapped[date | None]
    #: Gets the reminder; the asset's responsible board member when empty.
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: When the last reminder was queued (one reminder per task).
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    asset: Mapped[Asset] = relationship()
    responsible = relationship("User", foreign_keys=[responsible_user_id])


class AssetDocument(db.Model):
    """A file kept with an asset (permit, contract, warranty, photo): PDF, PNG or JPEG, checked
    by content; stored under ``UPLOAD_DIR/assets`` with a random name, served only to the board."""

    __tablename__ = "asset_document"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The uploaded file's own name (for the download), without any folder.
    filename: Mapped[str] = mapped_column(String(200))
    #: Decided from the first bytes of the file, never from its name.
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    #: Random file name under UPLOAD_DIR/assets.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
