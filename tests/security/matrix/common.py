"""Kinds of visitor and the usual expectation rows of the access matrix."""

PERSONAS = ["anonymous", "member_a", "board_a", "member_b", "board_b", "liaison_m", "liaison_n", "admin"]


def row(anonymous, member_a, board_a, member_b, board_b, liaison_m, liaison_n, admin):
    return dict(zip(PERSONAS, [anonymous, member_a, board_a, member_b, board_b, liaison_m, liaison_n, admin]))


PUBLIC = row("ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok")
SIGNED_IN = row("login", "ok", "ok", "ok", "ok", "ok", "ok", "ok")
#: pages of cooperative A (municipality M)
COOP_A_MEMBER = row("login", "ok", "ok", "404", "404", "404", "404", "404")
COOP_A_BOARD = row("login", "403", "ok", "404", "404", "404", "404", "404")
#: pages of municipality M
MUNI_M_LIAISON = row("login", "404", "404", "404", "404", "ok", "404", "404")
ADMIN = row("login", "403", "403", "403", "403", "403", "403", "ok")


#: URL argument for "a member of cooperative A" (resolved against the test world).
MEMBER_OF_A = lambda w: w.record_a.id  # noqa: E731
