"""Access-matrix rows of the member register's board pages and the join form."""
from tests.security.matrix.common import COOP_A_BOARD, MEMBER_OF_A, PUBLIC

A = {"coop": "coop-a"}
M = {"coop": "coop-a", "member_id": MEMBER_OF_A}

ROWS = {
    "members.list_members": (A, {"GET": COOP_A_BOARD}),
    "members.show_member": (M, {"GET": COOP_A_BOARD}),
    "members.new_member": (A, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "members.edit_member": (M, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "members.admit_member": (M, {"POST": COOP_A_BOARD}),
    "members.give_notice": (M, {"POST": COOP_A_BOARD}),
    "members.expel_member": (M, {"POST": COOP_A_BOARD}),
    "members.record_appeal": (M, {"POST": COOP_A_BOARD}),
    "members.decide_appeal": (M, {"POST": COOP_A_BOARD}),
    "members.finalise_expulsion": (M, {"POST": COOP_A_BOARD}),
    "members.record_death": (M, {"POST": COOP_A_BOARD}),
    "members.applications": (A, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "members.join": (A, {"GET": PUBLIC, "POST": PUBLIC}),
}
