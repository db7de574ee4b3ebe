"""Voting: motions on decision items, votes (open or secret, online, on paper, by proxy),
elections, the frozen roll, ballots, tallies with a hash, receipts and the resolutions register.

The blueprint is defined here; routes live in ``views.py`` (board) and ``me_views.py``
(the member's side), imported by the app factory.
"""
from flask import Blueprint

bp = Blueprint("voting", __name__)
