"""JSON API v1 with its OpenAPI document; routes in views.py (imported by the app factory)."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
