"""Every page of the register, capital, fees, privacy and API tokens opens and is accessible
for the board; a member's own pages for the member. (axe runs on each visited page.)"""
import pytest

pytestmark = pytest.mark.e2e


def test_board_register_pages(page, visit, login):
    login(page, "bestuur@zonnedak.example")
    for path in ("/c/zonnedak/members/", "/c/zonnedak/members/?status=all&sort=number&dir=desc",
                 "/c/zonnedak/members/new", "/c/zonnedak/members/applications",
                 "/c/zonnedak/members/import",
                 "/c/zonnedak/capital", "/c/zonnedak/capital/share-types", "/c/zonnedak/capital/share-types/new",
                 "/c/zonnedak/capital/new", "/c/zonnedak/capital/holdings",
                 "/c/zonnedak/fees", "/c/zonnedak/fees/categories", "/c/zonnedak/fees/owing",
                 "/c/zonnedak/privacy", "/c/zonnedak/api-tokens"):
        visit(path)
        assert page.locator(".tenant-nav a[aria-current=page]").count() <= 1, path


def test_member_own_pages(page, visit, login):
    login(page, "lid@zonnedak.example")
    for path in ("/me/", "/me/memberships", "/me/c/zonnedak/", "/me/c/zonnedak/details",
                 "/me/c/zonnedak/capital", "/me/c/zonnedak/fees", "/me/c/zonnedak/notice",
                 "/me/c/zonnedak/erasure"):
        visit(path)
    # the board's register is not for members
    visit("/c/zonnedak/members/", status=403)


def test_board_downloads(page, login, live_server):
    login(page, "bestuur@zonnedak.example")
    for path, kind in (("/c/zonnedak/members/export.csv", "text/csv"),
                       ("/c/zonnedak/members/labels.pdf", "application/pdf"),
                       ("/c/zonnedak/members/letter-list.pdf", "application/pdf")):
        response = page.request.get(path)
        assert response.status == 200, path
        assert response.headers["content-type"].startswith(kind), path
