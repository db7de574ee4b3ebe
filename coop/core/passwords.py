"""Password policy: at least 12 characters, not one of the 10,000 most common passwords."""
from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from coop.core.i18n import lazy_gettext as _l


MIN_LENGTH = 12
MAX_LENGTH = 200
_LIST = Path(__file__).parent / "data" / "common-passwords.txt.gz"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with gzip.open(_LIST, "rt", encoding="utf-8") as f:
        return frozenset(line.strip().lower() for line in f if line.strip())


def password_problem(password: str, *, email: str | None = None, name: str | None = None):
    """Return why a password is refused (translatable), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(n)d characters.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords():
        return _l("This password is one of the most commonly used ones; choose another.")
    if len(set(password)) < 4:
        return _l("This password uses too few different characters; choose another.")
    if email and lowered == email.lower():
        return _l("Do not use your e-mail address as password.")
    if name and lowered == name.lower():
        return _l("Do not use your name as password.")
    return None
