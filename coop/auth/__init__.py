"""Accounts, sign-in, password reset, invitations.

The blueprint is defined here; its routes live in ``views.py``, which the app factory imports
(importing views from this file would make ``coop.auth.models`` and ``coop.orgs.models``
import each other's views while half-initialised).
"""
from flask import Blueprint

bp = Blueprint("auth", __name__)
