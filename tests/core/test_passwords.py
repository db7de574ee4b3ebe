import pytest

from coop.core.passwords import common_passwords, password_problem


def test_list_holds_ten_thousand_common_passwords():
    assert len(common_passwords()) == 10000
    assert "password" in common_passwords() and "123456" in common_passwords()


@pytest.mark.parametrize("pw", ["short", "elevenchars", "aaaaaaaaaaaaaaaa"])
def test_refused(pw):
    assert password_problem(pw) is not None


def test_common_long_password_refused_case_insensitively():
    long_common = sorted(p for p in common_passwords() if len(p) >= 12)[0]
    assert password_problem(long_common.upper()) is not None


def test_email_as_password_refused():
    assert password_problem("someone@example.org", email="Someone@example.org") is not None


def test_good_password_accepted():
    assert password_problem("paarse-olifant-fietst-2026") is None
