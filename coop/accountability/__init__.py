"""Accountability: follow-up of resolutions and municipal commitments, annual reports (HTML and
PDF, frozen when published), open data and the public transparency page.

The blueprint is defined here; routes live in the views module, imported by the app factory.
"""
from flask import Blueprint

bp = Blueprint("accountability", __name__)
