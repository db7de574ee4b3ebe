import sqlalchemy as sa

from coop.auth.models import User
from coop.cli.demo import DEMO_PASSWORD, LOGINS
from coop.core.audit import verify
from coop.orgs.models import Cooperative, Municipality, Role, RoleAssignment


def test_demo_loads_once_and_its_logins_work(app, db):
    from coop.cli.demo import load_demo

    assert load_demo() is True
    assert load_demo() is False  # idempotent
    coops = db.session.scalars(sa.select(Cooperative).order_by(Cooperative.slug)).all()
    assert {d.value for c in coops for d in c.domains} >= {"energy", "care", "housing"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Municipality)) == 2
    from coop.members.models import Member, MemberStatus

    register = db.session.scalars(sa.select(Member).where(Member.status == MemberStatus.MEMBER)).all()
    assert 280 <= len(register) <= 330
    assert all(m.postcode and m.street and m.city for m in register)  # Dutch addresses
    with_account = [m for m in register if m.user_id]
    assert 150 <= len(with_account) < len(register)  # and some who only get letters
    for email, _what in LOGINS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user is not None and user.check_password(DEMO_PASSWORD), email
    liaisons = db.session.scalars(sa.select(RoleAssignment).where(RoleAssignment.role == Role.LIAISON)).all()
    assert len({r.municipality_id for r in liaisons}) == 2
    assert verify() == []


def test_role_scope_is_a_database_rule(db, world):
    import pytest

    db.session.add(RoleAssignment(user=world.member_a, role=Role.LIAISON, cooperative=world.coop_a))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_one_role_per_scope(db, world):
    import pytest

    db.session.add(RoleAssignment(user=world.member_a, role=Role.MEMBER, cooperative=world.coop_a))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_email_is_unique_case_insensitively(db, world):
    import pytest

    db.session.add(User(email="MEMBER-A@example.net", name="x", password_hash="x"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
