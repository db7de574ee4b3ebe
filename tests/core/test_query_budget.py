"""Pages use a number of queries that does not grow with the number of rows."""
import pytest

from coop.core import audit


def _queries(client, count_queries, url):
    with count_queries() as q:
        r = client.get(url)
    assert r.status_code == 200, url
    return q.count


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
def test_query_count_does_not_grow_with_rows(client, db, world, login_as, count_queries,
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

    grow(3)
    small = _queries(client, count_queries, url)
    grow(40)
    large = _queries(client, count_queries, url)
    assert large == small, f"{url}: {small} queries with few rows, {large} with many"
    assert small <= 12, f"{url} uses {small} queries"
