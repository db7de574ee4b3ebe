"""Tests of this area run as within an English request (tests/english_request.py)."""
from tests.english_request import english_request  # noqa: F401
