"""Pages use a number of queries that does not grow with the number of rows."""
import pytest

from coop.core import audit


@pytest.mark.parametrize("persona,url", [
    ("board_a", "/c/coop-a/audit"),
    ("board_a", "/c/coop-a/people"),
    ("board_a", "/c/coop-a/"),
    ("member_a", "/me/"),
    ("liaison_m", "/m/gem-m/"),
    ("liaison_m", "/m/gem-m/people"),
    ("admin", "/admin/"),
    ("admin", "/admin/audit"),
    ("admin", "/admin/invitations"),
])
def test_query_count_does_not_grow_with_rows(client, db, world, login_as, queries_stay_constant,
                                             make_user, make_coop, grant, persona, url):
    login_as(client, getattr(world, persona))

    def grow(n):
        for _ in range(n):
            u = make_user()
            grant(u, "member", world.coop_a)
            grant(u, "board", world.coop_a)
            grant(u, "liaison", municipality=world.muni_m)
            make_coop(municipality=world.muni_m)
            audit.record("test.row", actor=u, cooperative=world.coop_a)
            audit.record("test.row", actor=u)
        db.session.commit()

    queries_stay_constant(client, url, grow, 3, 40)
