"""Access-matrix rows of the JSON API and of the board's API-token page.

The API routes are declared ``@public``: their gate is the bearer token, checked in the view.
The browser personas of the matrix send no token (and their session cookie is deliberately not
accepted), so the members endpoint answers 401 to every one of them — which ``classify`` counts
as "ok" (it is neither 403, 404 nor a redirect to the login page). The matrix therefore only
proves that no persona gets a 5xx or a login redirect here; who may read what through the API
(no token, revoked token, another cooperative's token → 401/404) is tested with real tokens
in tests/api/test_members_api.py.
"""
from tests.security.matrix.common import COOP_A_BOARD, PUBLIC

A = {"coop": "coop-a"}

ROWS = {
    "api.openapi_document": ({}, {"GET": PUBLIC}),
    # 401 for every browser persona (no token): "ok" in classify(); see the docstring.
    "api.list_members": ({"coop_slug": "coop-a"}, {"GET": PUBLIC}),
    "members.list_api_tokens": (A, {"GET": COOP_A_BOARD}),
    "members.create_api_token": (A, {"POST": COOP_A_BOARD}),
    "members.revoke_api_token": (A, {"POST": COOP_A_BOARD}),
}
