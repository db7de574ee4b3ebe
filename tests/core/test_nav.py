"""The cooperative's menu: a member sees one list; a board member sees their member entries and
the board's administration in two labelled rows."""
import re


def _groups(html: str) -> list[tuple[str | None, list[str]]]:
    nav = html.split('class="tenant-nav"', 1)[1].split("</nav>", 1)[0]
    out = []
    for block in nav.split('<div class="nav-group">')[1:]:
        label = re.search(r'class="nav-group-label"[^>]*>([^<]+)<', block)
        out.append((label.group(1) if label else None, re.findall(r"<a [^>]*>([^<]+)</a>", block)))
    return out


def test_a_member_sees_one_unlabelled_list(client, login_as, world):
    login_as(client, world.member_a)
    [(label, links)] = _groups(client.get("/c/coop-a/", headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert label is None and "Votes" in links and "Members" not in links


def test_the_board_sees_member_entries_and_administration_apart(client, login_as, world):
    login_as(client, world.board_a)
    groups = _groups(client.get("/c/coop-a/", headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert [label for label, _links in groups] == ["As a member", "Board"]
    mine, board = groups[0][1], groups[1][1]
    assert "Consultations" in mine and "Votes" in mine and "Members" not in mine
    assert "Manage consultations" in board and "Members" in board and "Votes" not in board


def _current(html: str) -> list[str]:
    nav = html.split('class="tenant-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', nav)


def test_the_remembered_menu_follows_the_visitor_the_page_the_language_and_the_name(
        client, login_as, world, db):
    """Each worker renders a menu once and reuses it: what it shows must still follow who
    asks, on which page, in which language, and the cooperative's current name."""
    en = {"Accept-Language": "en"}
    login_as(client, world.board_a)
    assert "Members" in sum((links for _l, links in _groups(client.get("/c/coop-a/", headers=en).get_data(as_text=True))), [])
    login_as(client, world.member_a)
    html = client.get("/c/coop-a/", headers=en).get_data(as_text=True)
    [(_label, links)] = _groups(html)
    assert "Members" not in links and _current(html) == ["Overview"]
    assert _current(client.get("/c/coop-a/statutes", headers=en).get_data(as_text=True)) == ["Statutes"]
    assert _current(client.get("/c/coop-a/statutes", headers={"Accept-Language": "nl"}).get_data(as_text=True)) == ["Statuten"]

    world.coop_a.name = "Coöperatie A, hernoemd"
    db.session.commit()
    html = client.get("/c/coop-a/", headers=en).get_data(as_text=True)
    assert 'aria-label="Coöperatie A, hernoemd"' in html


def test_links_point_into_the_cooperative_of_the_page(client, login_as, world, make_user, grant, db):
    """Links are remembered per worker too; those on one cooperative's page never lead into
    another's."""
    both = make_user("both@example.net", "In A and B")
    grant(both, "member", world.coop_a)
    grant(both, "member", world.coop_b)
    db.session.commit()
    login_as(client, both)
    for slug in ("coop-a", "coop-b", "coop-a"):
        html = client.get(f"/c/{slug}/").get_data(as_text=True)
        nav = html.split('class="tenant-nav"', 1)[1].split("</nav>", 1)[0]
        hrefs = re.findall(r'href="([^"]+)"', nav)
        assert hrefs and all(f"/c/{slug}/" in h for h in hrefs), hrefs
