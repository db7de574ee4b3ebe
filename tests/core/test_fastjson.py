"""JSON answers are written by orjson (coop.core.fastjson) and mean what Flask's own would."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from flask import jsonify
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from coop.core.fastjson import OrjsonProvider


@dataclass
class Point:
    x: int
    label: str


VALUES = {
    "text": "Energiecoöperatie “De Hof” — 🌞\n\t\"quoted\" \\ back",
    "numbers": [0, -1, 2**53, 1.5, True, False, None],
    "date": date(2026, 4, 27),
    "aware": datetime(2026, 11, 24, 9, 30, 5, 123456, tzinfo=timezone.utc),
    "naive": datetime(2026, 11, 24, 9, 30, 5),
    "money": Decimal("1234.56"),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "point": Point(3, "noord"),
    "markup": Markup("<b>vet</b>"),
    "nested": {"z": [{"b": 1, "a": 2}], "a": {}},
}


def test_the_answer_means_what_flasks_own_would(app):
    assert isinstance(app.json, OrjsonProvider)
    flask_own = DefaultJSONProvider(app)
    with app.test_request_context():
        ours = jsonify(VALUES)
        theirs = flask_own.response(VALUES)
    assert ours.mimetype == theirs.mimetype == "application/json"
    assert ours.data.endswith(b"\n")
    assert json.loads(ours.data) == json.loads(theirs.data)
    # Keys sorted and compact separators, as Flask writes them outside debug mode: only the
    # escaping of letters outside ASCII differs.
    compact = {"ensure_ascii": False, "separators": (",", ":")}
    rewritten = json.dumps(json.loads(theirs.data), sort_keys=True, **compact)
    assert ours.data.decode() == rewritten + "\n"
    assert app.json.dumps(VALUES) == flask_own.dumps(VALUES, **compact)


def test_what_orjson_cannot_write_is_written_by_the_standard_library(app):
    # An API client may send an integer beyond 64 bits and see it quoted back in the error.
    with app.test_request_context():
        data = jsonify({"after": 2**70, "é": 1}).data
    assert data == b'{"after":1180591620717411303424,"\xc3\xa9":1}\n'


def test_options_of_the_standard_library_still_work(app):
    assert app.json.dumps({"b": 1, "a": [1]}, indent=2) == '{\n  "a": [\n    1\n  ],\n  "b": 1\n}'


def test_debug_mode_answers_pretty_printed(app):
    app.debug = True
    try:
        with app.test_request_context():
            data = jsonify({"b": 1, "a": 2}).data
    finally:
        app.debug = False
    assert data == b'{\n  "a": 2,\n  "b": 1\n}\n'


def test_what_has_no_json_form_is_a_type_error_as_before(app):
    with app.test_request_context(), pytest.raises(TypeError):
        jsonify({"object": object()})
