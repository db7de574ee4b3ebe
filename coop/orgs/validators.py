"""Pure validators for Dutch identifiers (no Flask, no database)."""
from __future__ import annotations

import re

KVK_RE = re.compile(r"^\d{8}$")
CBS_RE = re.compile(r"^GM\d{4}$")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
#: Paths a slug may not take because they read as something else.
RESERVED_SLUGS = frozenset({"new", "admin", "api", "static", "me", "login", "logout"})


def normalise_kvk(value: str) -> str:
    """Remove spaces and dots people type in KvK numbers: ``12.34.56.78`` → ``12345678``."""
    return re.sub(r"[\s.]", "", value or "")


def is_kvk(value: str) -> bool:
    return bool(KVK_RE.match(value))


def normalise_cbs(value: str) -> str:
    v = (value or "").strip().upper()
    return "GM" + v if v.isdigit() and len(v) == 4 else v


def is_cbs(value: str) -> bool:
    return bool(CBS_RE.match(value))


def is_slug(value: str) -> bool:
    return bool(SLUG_RE.match(value)) and value not in RESERVED_SLUGS and len(value) >= 2
