"""What a benchmark scenario is: the pages a signed-in user visits, by role, with weights.

Plain data, no Flask and no locust, so that ``run.py`` (which must not be monkey-patched by
gevent) and ``locustfile.py`` (which is) can both read it. Later issues add their scenarios
here: a new entry in :data:`SCENARIOS` with its pages, and seeders in ``seed.py`` when the
pages need data of their own.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Who sees a page. For ``member`` and ``board`` the page is visited for every cooperative in
#: which the account holds that permission (``member``: member, board or auditor); for
#: ``liaison`` for every municipality of the account; ``admin`` and ``login`` once.
#: ``api``: with the bearer token of the account's municipality (accounts with one, see seed.py).
WHO = ("login", "member", "board", "liaison", "admin", "api")


@dataclass(frozen=True)
class Page:
    #: Path with ``{coop}`` / ``{municipality}`` placeholders, e.g. ``/c/{coop}/audit``.
    path: str
    weight: int
    who: str

    def __post_init__(self):
        if self.who not in WHO:
            raise ValueError(f"unknown audience {self.who!r} for {self.path}")

    @property
    def name(self) -> str:
        """The name the figures are grouped under: ``/c/[coop]/audit``."""
        return self.path.replace("{coop}", "[coop]").replace("{municipality}", "[municipality]")


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    pages: tuple[Page, ...]
    #: Names of the seeders in ``seed.py`` that this scenario needs (run in this order).
    seeders: tuple[str, ...] = ("members", "audit")
    #: Share of the simulated users per kind of account; what is left are plain members.
    user_shares: dict[str, float] = field(default_factory=lambda: {
        "admin": 0.05, "liaison": 0.10, "board": 0.20, "auditor": 0.05,
    })
    #: False for a program's API calls: no session cookie, only the bearer token.
    sign_in: bool = True
    #: The targets that the scenario's issue sets: "ratio" (pages >= 0.5 x bare throughput)
    #: and/or "p95" (pages p95 <= 100 ms); run.py reports only these as met or not.
    targets: tuple[str, ...] = ("ratio", "p95")


#: The bare endpoint: the same stack (gunicorn, Flask, the app's hooks, one pooled database
#: connection), one trivial query (``SELECT 1``) and no template.
BARE = Page("/health", 1, "login")

SCENARIOS: dict[str, Scenario] = {
    "foundation": Scenario(
        name="foundation",
        description="The pages of the foundation issue: overview, cooperative, statutes, "
                    "people and audit log, municipality and administration.",
        pages=(
            Page("/me/", 2, "login"),
            Page("/c/{coop}/", 4, "member"),
            Page("/c/{coop}/statutes", 2, "member"),
            Page("/c/{coop}/people", 2, "board"),
            Page("/c/{coop}/audit", 2, "board"),
            Page("/m/{municipality}/", 4, "liaison"),
            Page("/m/{municipality}/people", 1, "liaison"),
            Page("/m/{municipality}/audit", 1, "liaison"),
            Page("/admin/", 4, "admin"),
            Page("/admin/audit", 2, "admin"),
        ),
    ),
}


SCENARIOS["register"] = Scenario(
    name="register",
    description="The board's member list of one cooperative with --size register entries "
                "(issue 3: 100,000 members, list and search p95 <= 100 ms on PostgreSQL).",
    pages=(
        Page("/c/{coop}/members/", 3, "board"),
        Page("/c/{coop}/members/?q=jansen", 2, "board"),
        Page("/c/{coop}/members/?q=de+vries", 1, "board"),
        Page("/c/{coop}/members/?q=9711", 2, "board"),
        Page("/c/{coop}/members/?q=12345", 1, "board"),
        Page("/c/{coop}/members/?q=jan.%40example", 1, "board"),
        Page("/c/{coop}/members/?sort=postcode&page=200", 1, "board"),
        Page("/c/{coop}/members/?status=all&channel=letter&sort=number&dir=desc", 1, "board"),
    ),
    seeders=("register",),
    user_shares={"board": 1.0},
)


SCENARIOS["liaison"] = Scenario(
    name="liaison",
    description="Issue 8: the liaison's inbox of a municipality with --size requests across 400 "
                "cooperatives (target p95 <= 100 ms at 50,000): the open requests, the overdue view "
                "and a filtered page further on.",
    pages=(
        Page("/m/{municipality}/requests", 3, "liaison"),
        Page("/m/{municipality}/requests?view=overdue", 2, "liaison"),
        Page("/m/{municipality}/requests?view=all&kind=woo&page=20", 1, "liaison"),
    ),
    seeders=("liaison",),
    user_shares={"liaison": 1.0},
    targets=("p95",),
)

SCENARIOS["liaison-api"] = Scenario(
    name="liaison-api",
    description="Issue 8: the API list endpoint of a municipal case system (bearer token, no session) "
                "with --size requests (target >= 0.5 x the bare endpoint's throughput in the same run).",
    pages=(
        Page("/api/v1/municipalities/{municipality}/requests", 3, "api"),
        Page("/api/v1/municipalities/{municipality}/requests?overdue=true&per_page=100", 1, "api"),
    ),
    seeders=("liaison",),
    user_shares={"liaison": 1.0},
    sign_in=False,
    targets=("ratio",),
)


def api_headers(account: dict, path: str) -> dict:
    """The bearer token for an API path (the municipality's token of the account), else none."""
    if not path.startswith("/api/"):
        return {}
    slug = path.split("/municipalities/", 1)[1].split("/", 1)[0] if "/municipalities/" in path else None
    token = account.get("api_tokens", {}).get(slug)
    return {"Authorization": f"Bearer {token}"} if token else {}


def pages_for(scenario: Scenario, account: dict) -> list[tuple[str, str, int]]:
    """The (request name, path, weight) list that one account visits in a scenario."""
    out = []
    for page in scenario.pages:
        if page.who == "login":
            targets = [{}]
        elif page.who == "member":
            targets = [{"coop": c} for c in account["coops"]]
        elif page.who == "board":
            targets = [{"coop": c} for c in account["board_coops"]]
        elif page.who == "liaison":
            targets = [{"municipality": m} for m in account["municipalities"]]
        elif page.who == "api":
            targets = [{"municipality": m} for m in account.get("api_tokens", {})]
        else:  # admin
            targets = [{}] if account["is_admin"] else []
        for t in targets:
            out.append((page.name, page.path.format(**t), page.weight))
    return out
