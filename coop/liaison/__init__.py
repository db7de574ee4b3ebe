"""Formal requests from cooperatives to their municipality: catalogue, terms, thread,
commitments (routes in views.py, imported by the app factory)."""
from flask import Blueprint

bp = Blueprint("liaison", __name__)
