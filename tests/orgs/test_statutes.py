import pytest
import sqlalchemy as sa

from coop.orgs.models import StatutesProfile


def _form(profile, **changes):
    data = {}
    for col in StatutesProfile.__table__.columns:
        if col.key == "cooperative_id":
            continue
        value = getattr(profile, col.key)
        if isinstance(value, bool):
            if value:
                data[col.key] = "y"
        else:
            data[col.key] = str(value)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_members_see_the_settings_board_changes_them(client, db, world, login_as):
    login_as(client, world.member_a)
    page = client.get("/c/coop-a/statutes").get_data(as_text=True)
    assert "Convocation at least" in page and "Change the settings" not in page
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/statutes/edit", data=_form(world.coop_a.statutes, convocation_days="14",
                                                          has_electronic_voting="y"))
    assert r.status_code == 302
    db.session.expire_all()
    assert world.coop_a.statutes.convocation_days == 14 and world.coop_a.statutes.has_electronic_voting
    from coop.core.audit import AuditEntry

    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "orgs.update_statutes"))
    assert entry.details_dict["convocation_days"] == [7, 14]


@pytest.mark.parametrize("field,value,message", [
    ("convocation_days", "5", "at least 7"),
    ("electronic_voting_days_before", "45", "between 0 and 30"),
    ("financial_retention_years", "3", "at least 7"),
])
def test_values_against_the_law_refused(client, db, world, login_as, field, value, message):
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/statutes/edit", data=_form(world.coop_a.statutes, **{field: value}))
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    db.session.expire_all()
    assert getattr(world.coop_a.statutes, field) != int(value)


def test_majority_must_be_below_one(client, db, world, login_as):
    login_as(client, world.board_a)
    r = client.post("/c/coop-a/statutes/edit", data=_form(world.coop_a.statutes, ordinary_majority_num="3",
                                                          ordinary_majority_den="2"))
    assert r.status_code == 400 and "below one" in r.get_data(as_text=True)


def test_database_refuses_illegal_statutes(db, world):
    world.coop_a.statutes.convocation_days = 3
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
