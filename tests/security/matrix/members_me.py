"""Access-matrix rows of the member's own pages (/me/…) and the board's privacy pages.

/me/c/<coop>/… pages need a role in the cooperative (``member``) and then show only the
signed-in user's own record; /me/memberships and the exports need only a sign-in (they show
the user's own data, whatever it is). The board's privacy pages are board-only.
"""
from tests.security.matrix.common import COOP_A_BOARD, COOP_A_MEMBER, MEMBER_OF_A, SIGNED_IN

A = {"coop": "coop-a"}

ROWS = {
    "me.list_memberships": ({}, {"GET": SIGNED_IN}),
    "me.export_json": ({}, {"GET": SIGNED_IN}),
    "me.export_zip": ({}, {"GET": SIGNED_IN}),
    "me.show_membership": (A, {"GET": COOP_A_MEMBER}),
    "me.edit_details": (A, {"GET": COOP_A_MEMBER, "POST": COOP_A_MEMBER}),
    "me.show_capital": (A, {"GET": COOP_A_MEMBER}),
    "me.download_statement": (A, {"GET": COOP_A_MEMBER}),
    "me.list_fees": (A, {"GET": COOP_A_MEMBER}),
    "me.request_notice": (A, {"GET": COOP_A_MEMBER, "POST": COOP_A_MEMBER}),
    "me.request_erasure": (A, {"GET": COOP_A_MEMBER, "POST": COOP_A_MEMBER}),
    "members.privacy_overview": (A, {"GET": COOP_A_BOARD}),
    # ?member=<id of a member of A>: the confirmation page (a current member: refused there)
    "members.erase_member": ({"coop": "coop-a", "member": MEMBER_OF_A},
                             {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
}
