"""General meetings (ALV): agenda, convocation, proposals and questions, attendance, proxies,
the live page and the minutes.

The blueprint is defined here; routes live in ``views.py`` (board) and ``me_views.py``
(the member's side), imported by the app factory.
"""
from flask import Blueprint

bp = Blueprint("meetings", __name__)
