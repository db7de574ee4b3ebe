"""The signed-in person's overview lists every role with a link to where it applies."""
import re


def _cards(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<h3><a href="([^"]+)">([^<]+)</a></h3>\s*<p>([^<]+)</p>', html)


def test_the_overview_lists_each_role_where_it_applies(client, login_as, world, make_user, grant, db):
    many = make_user("many@example.net", "Many Hats")
    grant(many, "board", world.coop_a)
    grant(many, "liaison", municipality=world.muni_n)
    grant(many, "admin")
    db.session.commit()
    login_as(client, many)
    html = client.get("/me/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _cards(html) == [
        ("/c/coop-a/", "Coöperatie A", "Board · Chair"),
        ("/m/gem-n/", "Municipality of Gemeente N", "Liaison"),
        ("/admin/", "Administration", "Administrator"),
    ]


def test_without_roles_the_overview_says_how_to_get_one(client, login_as, make_user, db):
    login_as(client, make_user("nobody@example.net", "Nobody"))
    db.session.commit()
    html = client.get("/me/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _cards(html) == [] and "When a board or an administrator invites you" in html
