"""Access-matrix rows of the foundation: home, accounts, organisations, administration."""
from tests.security.matrix.common import ADMIN, COOP_A_BOARD, COOP_A_MEMBER, MUNI_M_LIAISON, PUBLIC, SIGNED_IN

#: endpoint → (URL arguments, expectation for each method)
ROWS = {
    "static": ({"filename": "css/app.css"}, {"GET": PUBLIC}),
    "core.home": ({}, {"GET": PUBLIC}),
    "core.health": ({}, {"GET": PUBLIC}),
    "core.set_language": ({}, {"POST": PUBLIC}),
    "core.me": ({}, {"GET": SIGNED_IN}),
    "auth.login": ({}, {"GET": PUBLIC, "POST": PUBLIC}),
    "auth.logout": ({}, {"POST": SIGNED_IN}),
    "auth.forgot_password": ({}, {"GET": PUBLIC, "POST": PUBLIC}),
    "auth.reset_password": ({"token": "not-a-token"}, {"GET": PUBLIC, "POST": PUBLIC}),
    "auth.accept_invitation": ({"token": "not-a-token"}, {"GET": PUBLIC, "POST": PUBLIC}),
    "auth.account": ({}, {"GET": SIGNED_IN, "POST": SIGNED_IN}),
    "auth.change_password": ({}, {"POST": SIGNED_IN}),
    "orgs.coop_home": ({"coop": "coop-a"}, {"GET": COOP_A_MEMBER}),
    "orgs.coop_statutes": ({"coop": "coop-a"}, {"GET": COOP_A_MEMBER}),
    "orgs.edit_statutes": ({"coop": "coop-a"}, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "orgs.coop_people": ({"coop": "coop-a"}, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "orgs.coop_audit": ({"coop": "coop-a"}, {"GET": COOP_A_BOARD}),
    "orgs.municipality_home": ({"municipality": "gem-m"}, {"GET": MUNI_M_LIAISON}),
    "orgs.municipality_people": ({"municipality": "gem-m"}, {"GET": MUNI_M_LIAISON, "POST": MUNI_M_LIAISON}),
    "orgs.municipality_audit": ({"municipality": "gem-m"}, {"GET": MUNI_M_LIAISON}),
    "admin.index": ({}, {"GET": ADMIN}),
    "admin.new_municipality": ({}, {"GET": ADMIN, "POST": ADMIN}),
    "admin.new_cooperative": ({}, {"GET": ADMIN, "POST": ADMIN}),
    "admin.invite": ({}, {"GET": ADMIN, "POST": ADMIN}),
    "admin.audit": ({}, {"GET": ADMIN}),
}
