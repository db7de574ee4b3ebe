"""Cooperatives, municipalities, roles and the statutes profile; routes in views.py/admin_views.py."""
from flask import Blueprint

#: Cooperative pages (/c/<coop>/…) and municipality pages (/m/<municipality>/…).
bp = Blueprint("orgs", __name__)
#: Platform administration (/admin/…).
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")
