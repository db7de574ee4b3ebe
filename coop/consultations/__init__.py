"""Member consultations outside meetings (Loomio-style): a question with options, open within a
window, anonymous or named, with reminders to those who have not answered; a closed
consultation's result can back a request to the municipality.

The blueprint is defined here; routes live in ``views.py`` (board) and ``me_views.py`` (the
member's side), imported by the app factory.
"""
from flask import Blueprint

bp = Blueprint("consultations", __name__)
