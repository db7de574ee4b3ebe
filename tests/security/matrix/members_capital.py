"""Access-matrix rows of member capital and fees (board pages of cooperative A).

Routes that name a row (a member, a share type, a ledger line, a category, a fee) get their
ids when the URL is built, from rows of cooperative A that exist in the ``world`` fixture or
are created here on first use (:class:`Lazy`): ids differ between runs and databases.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from tests.security.matrix.common import COOP_A_BOARD


def _coop_a():
    from sqlalchemy import select

    from coop.extensions import db
    from coop.orgs.models import Cooperative

    return db.session.scalar(select(Cooperative).where(Cooperative.slug == "coop-a"))


def _member_a():
    from sqlalchemy import select

    from coop.extensions import db
    from coop.members.models import Member

    coop = _coop_a()
    return db.session.scalar(select(Member).where(Member.cooperative_id == coop.id,
                                                  Member.first_name == "Anna"))


def _share_type():
    from sqlalchemy import select

    from coop.extensions import db
    from coop.members import capital
    from coop.members.models import ShareType

    coop = _coop_a()
    st = db.session.scalar(select(ShareType).where(ShareType.cooperative_id == coop.id))
    if st is None:
        st = capital.create_share_type(coop, {"name": "Matrix share", "nominal_cents": 5000,
                                              "min_per_member": 0, "max_per_member": None},
                                       actor=None)
        db.session.commit()
    return st


def _transaction():
    from coop.extensions import db
    from coop.members import capital

    tx = capital.propose_transaction(_coop_a(), kind="issue", share_type=_share_type(),
                                     member=_member_a(), quantity=1, actor=None)
    db.session.commit()
    return tx


def _category():
    from sqlalchemy import select

    from coop.extensions import db
    from coop.members import capital
    from coop.members.models import MemberCategory

    coop = _coop_a()
    cat = db.session.scalar(select(MemberCategory).where(MemberCategory.cooperative_id == coop.id))
    if cat is None:
        cat = capital.create_category(coop, {"name": "Matrix category", "yearly_fee_cents": 2500,
                                             "vote_weight": 1}, actor=None)
        db.session.commit()
    return cat


def _charge():
    from sqlalchemy import select

    from coop.extensions import db
    from coop.members.models import FeeCharge

    member = _member_a()
    charge = db.session.scalar(select(FeeCharge).where(FeeCharge.member_id == member.id))
    if charge is None:
        charge = FeeCharge(cooperative_id=member.cooperative_id, member_id=member.id, year=2025,
                           amount_cents=2500)
        db.session.add(charge)
        db.session.commit()
    return charge


class Lazy(Mapping):
    """URL arguments resolved when ``url_for(endpoint, **args)`` reads them (in the test)."""

    def __init__(self, coop="coop-a", **resolvers):
        self._static = {"coop": coop}
        self._resolvers = resolvers

    def __getitem__(self, key):
        if key in self._static:
            return self._static[key]
        return self._resolvers[key]()

    def __iter__(self):
        return iter([*self._static, *self._resolvers])

    def __len__(self):
        return len(self._static) + len(self._resolvers)


A = {"coop": "coop-a"}
BOARD_GET = {"GET": COOP_A_BOARD}
BOARD_FORM = {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}
BOARD_POST = {"POST": COOP_A_BOARD}

ROWS = {
    "members.list_share_types": (A, BOARD_GET),
    "members.new_share_type": (A, BOARD_FORM),
    "members.edit_share_type": (Lazy(share_type_id=lambda: _share_type().id), BOARD_FORM),
    "members.list_share_transactions": (A, BOARD_GET),
    "members.propose_share_transaction": (A, BOARD_FORM),
    "members.approve_share_transaction": (Lazy(transaction_id=lambda: _transaction().id), BOARD_POST),
    "members.reject_share_transaction": (Lazy(transaction_id=lambda: _transaction().id), BOARD_POST),
    "members.list_holdings": (A, BOARD_GET),
    "members.share_statement": (Lazy(member_id=lambda: _member_a().id), BOARD_GET),
    "members.list_member_categories": (A, BOARD_GET),
    "members.new_member_category": (A, BOARD_FORM),
    "members.edit_member_category": (Lazy(category_id=lambda: _category().id), BOARD_FORM),
    "members.list_fees": (A, BOARD_GET),
    "members.charge_fees": (A, BOARD_POST),
    "members.mark_fee_paid": (Lazy(charge_id=lambda: _charge().id), BOARD_POST),
    "members.mark_fee_unpaid": (Lazy(charge_id=lambda: _charge().id), BOARD_POST),
    "members.list_fee_debtors": (A, BOARD_GET),
    "members.export_fees": ({"coop": "coop-a", "year": date.today().year}, BOARD_GET),
}
