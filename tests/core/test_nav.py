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
