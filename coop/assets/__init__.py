"""Shared assets: the register, participations, production readings, revenue distribution,
bookings, dwellings and upkeep.

The blueprint is defined here; routes live in the views modules, imported by the app factory.
"""
from flask import Blueprint

#: Board pages (/c/<coop>/assets/…), the members' booking calendar and the member's own pages.
bp = Blueprint("assets", __name__)
