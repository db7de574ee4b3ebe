"""The OpenAPI 3.1 document of API v1, as plain Python data (served at /api/v1/openapi.json).

To describe a new endpoint, add its schemas to ``SCHEMAS``, its parameters to ``PARAMETERS``
and its path item to ``PATHS`` (or call :func:`add_path` from the module that defines the route);
:func:`build_document` assembles a fresh copy for each request. Responses use the shared
``Error`` schema, and the helpers :func:`json_response` / :func:`error_responses` keep the path
items short.
"""
from __future__ import annotations

import copy

API_VERSION = "1.0.0"

MEMBER_STATUSES = ["applicant", "refused", "member", "suspended", "former"]


def ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def json_response(description: str, schema: dict, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def nullable(schema_type: str, **extra) -> dict:
    return {"type": [schema_type, "null"], **extra}


SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "description": "Every error answers with this object (status codes 400, 401, 404, 405, 429, 500).",
        "required": ["error", "status"],
        "properties": {
            "error": {"type": "string", "description": "Short title of the error (in the request's language)."},
            "status": {"type": "integer", "description": "The HTTP status code."},
            "message": {"type": "string", "description": "What was wrong and how to correct it."},
            "parameter": {"type": "string", "description": "The query parameter that was refused (400)."},
        },
    },
    "Member": {
        "type": "object",
        "description": (
            "An entry in the member register. Notes, IBAN, date of birth, address lines and phone "
            "are never exposed. Erased members appear pseudonymised: first name \"—\", last name "
            "\"Gewist lid <number>\", and no contact details."),
        "required": ["number", "status", "first_name", "name_prefix", "last_name", "postcode", "city",
                     "email", "channel", "admitted_on", "ended_on", "updated_at"],
        "additionalProperties": False,
        "properties": {
            "number": nullable("integer", minimum=1,
                               description="Membership number (never reused); null for applicants."),
            "status": {"type": "string", "enum": MEMBER_STATUSES},
            "first_name": {"type": "string"},
            "name_prefix": nullable("string", description="Dutch surname prefix (tussenvoegsel), e.g. \"van der\"."),
            "last_name": {"type": "string"},
            "postcode": nullable("string", description="Dutch postcode as \"1234 AB\"."),
            "city": nullable("string"),
            "email": nullable("string"),
            "channel": {"type": "string", "enum": ["email", "letter"],
                        "description": "How the cooperative sends mail to this member (e-mail only with consent)."},
            "admitted_on": nullable("string", format="date"),
            "ended_on": nullable("string", format="date"),
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "MemberPage": {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "next"],
        "additionalProperties": False,
        "properties": {
            "items": {"type": "array", "items": ref("schemas", "Member")},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 500},
            "total": {"type": "integer", "minimum": 0, "description": "Number of entries matching the filters."},
            "next": nullable("string", format="uri", description="The URL of the next page, or null on the last page."),
        },
    },
}

PARAMETERS: dict[str, dict] = {
    "coop": {
        "name": "coop", "in": "path", "required": True,
        "description": "The cooperative's web address name (as in /c/<coop>/). The token must belong to it.",
        "schema": {"type": "string", "minLength": 1},
    },
    "page": {
        "name": "page", "in": "query", "required": False, "description": "Page number, from 1.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1},
    },
    "per_page": {
        "name": "per_page", "in": "query", "required": False, "description": "Entries per page (at most 500).",
        "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
    },
    "member_status": {
        "name": "status", "in": "query", "required": False, "description": "Only entries with this status.",
        "schema": {"type": "string", "enum": MEMBER_STATUSES},
    },
    "updated_since": {
        "name": "updated_since", "in": "query", "required": False,
        "description": ("Only entries changed at or after this moment (ISO 8601; without a time zone "
                        "UTC is assumed). For synchronising: pass the largest updated_at seen before."),
        "schema": {"type": "string", "format": "date-time"},
    },
}

RESPONSES: dict[str, dict] = {
    "BadRequest": json_response("A query parameter was not valid.", ref("schemas", "Error")),
    "Unauthorized": json_response(
        "No token, or a token that is not valid or revoked.", ref("schemas", "Error"),
        headers={"WWW-Authenticate": {"description": "Bearer challenge (RFC 6750).",
                                      "schema": {"type": "string"}}}),
    "NotFound": json_response("No such resource for this token (a token of another cooperative "
                              "gets the same answer).", ref("schemas", "Error")),
    "TooManyRequests": json_response("Rate limit exceeded (600 requests a minute per token).",
                                     ref("schemas", "Error")),
}


def error_responses(*names: str) -> dict:
    codes = {"BadRequest": "400", "Unauthorized": "401", "NotFound": "404", "TooManyRequests": "429"}
    return {codes[n]: ref("responses", n) for n in names}


PATHS: dict[str, dict] = {
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApiDocument",
            "summary": "This document.",
            "tags": ["meta"],
            "security": [],
            "responses": {"200": {"description": "The OpenAPI document.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        },
    },
    "/coops/{coop}/members": {
        "get": {
            "operationId": "listMembers",
            "summary": "The cooperative's member register, page by page.",
            "description": ("Entries ordered by their internal id (stable between pages). Needs a "
                            "token created by the cooperative's board."),
            "tags": ["members"],
            "parameters": [ref("parameters", n) for n in
                           ("coop", "page", "per_page", "member_status", "updated_since")],
            "responses": {
                "200": json_response("One page of entries.", ref("schemas", "MemberPage")),
                **error_responses("BadRequest", "Unauthorized", "NotFound", "TooManyRequests"),
            },
        },
    },
}

TAGS = [
    {"name": "members", "description": "The member register of a cooperative."},
    {"name": "meta", "description": "About the API itself."},
]


def add_path(path: str, item: dict, *, schemas: dict | None = None, parameters: dict | None = None) -> None:
    """Register a path item (for areas that add endpoints in later versions)."""
    if path in PATHS:
        raise ValueError(f"{path} is already described")
    PATHS[path] = item
    SCHEMAS.update(schemas or {})
    PARAMETERS.update(parameters or {})


def build_document(server_url: str = "/api/v1") -> dict:
    """The complete OpenAPI 3.1 document (a fresh copy: callers may change it)."""
    return copy.deepcopy({
        "openapi": "3.1.0",
        "info": {
            "title": "coop API",
            "version": API_VERSION,
            "summary": "Read access to a cooperative's data for its own programs.",
            "description": (
                "Every request needs a token: the board creates one on the cooperative's page "
                "\"API tokens\" and it is shown once. Send it as `Authorization: Bearer coop_…`. "
                "The session cookie of the web pages is not accepted. Errors answer JSON with the "
                "`Error` schema."),
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "tags": TAGS,
        "paths": PATHS,
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "coop_<43 characters>",
                               "description": "An API token of the cooperative (or, later, of a municipality)."},
            },
            "schemas": SCHEMAS,
            "parameters": PARAMETERS,
            "responses": RESPONSES,
        },
    })
