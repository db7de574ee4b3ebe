"""The member register: members, applications, lifecycle, capital, fees, the member's own pages.

Blueprints are defined here; routes live in the views modules, imported by the app factory.
"""
from flask import Blueprint

#: Board pages of the register and the public join form (/c/<coop>/…).
bp = Blueprint("members", __name__)
#: The member's own pages (/me/…).
me_bp = Blueprint("me", __name__, url_prefix="/me")
