"""Dutch and English: language choice, and catalogs that are complete and up to date."""
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "coop" / "translations"


def test_dutch_browser_gets_dutch(client):
    r = client.get("/login", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"})
    html = r.get_data(as_text=True)
    assert '<html lang="nl">' in html and "Inloggen" in html


def test_other_browsers_get_english(client):
    r = client.get("/login", headers={"Accept-Language": "de-DE,fr;q=0.8"})
    assert '<html lang="en">' in r.get_data(as_text=True)


def test_choice_is_remembered_for_visitor(client):
    client.post("/language", data={"lang": "nl", "next": "/login"})
    r = client.get("/login", headers={"Accept-Language": "en"})
    assert '<html lang="nl">' in r.get_data(as_text=True)


def test_choice_is_remembered_on_the_account(app, client, db, world, login_as):
    login_as(client, world.member_a)
    client.post("/language", data={"lang": "nl"})
    db.session.refresh(world.member_a)
    assert world.member_a.locale == "nl"
    other = app.test_client()  # another device, English browser
    login_as(other, world.member_a)
    assert '<html lang="nl">' in other.get("/me/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_language_switch_ignores_foreign_redirects(client):
    r = client.post("/language", data={"lang": "nl", "next": "https://evil.example/"})
    assert r.headers["Location"] == "/"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_catalog_is_complete(lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f)
    untranslated = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"{lang}: untranslated {untranslated[:10]}"
    assert not fuzzy, f"{lang}: fuzzy {fuzzy[:10]}"


def test_template_catalog_is_current(tmp_path):
    """messages.pot holds exactly the strings in the code (run `make update-catalogs`)."""
    fresh = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "--no-location", "--sort-output",
                    "--ignore-dirs", ".* node_modules",
                    "--omit-header", "-w", "100", "-o", str(fresh), "."],
                   cwd=ROOT, check=True, capture_output=True)

    def ids(path):
        with open(path, "rb") as f:
            return {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(f) if m.id}

    committed = ids(TRANSLATIONS / "messages.pot")
    current = ids(fresh)
    assert current == committed, (
        f"stale catalog: new {sorted(map(str, current - committed))[:10]}, "
        f"gone {sorted(map(str, committed - current))[:10]}"
    )
    for lang in ("nl", "en"):
        assert ids(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po") == current, lang
