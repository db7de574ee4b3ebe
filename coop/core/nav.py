"""Navigation entries, registered by each area next to its views (base.html shows them).

``add("coop", "members.list_members", _l("Members"), "board", order=20)`` puts a link in the
cooperative's menu for those with the ``board`` permission there.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    order: int
    endpoint: str
    label: object
    permission: str
    #: Endpoint prefixes of sub-pages that also mark this entry as the current page.
    also: tuple[str, ...] = ()

    def is_current(self, endpoint: str | None) -> bool:
        return endpoint == self.endpoint or any((endpoint or "").startswith(p) for p in self.also)


MENUS: dict[str, list[NavItem]] = {"coop": [], "municipality": [], "me": []}


def add(menu: str, endpoint: str, label, permission: str, order: int = 50,
        also: tuple[str, ...] = ()) -> None:
    items = MENUS[menu]
    if any(i.endpoint == endpoint for i in items):
        return
    items.append(NavItem(order, endpoint, label, permission, tuple(also)))
    items.sort(key=lambda i: i.order)


def items(menu: str) -> list[NavItem]:
    from coop.core.permissions import can

    return [i for i in MENUS[menu] if can(i.permission)]


#: The cooperative's menu in two labelled rows when the visitor has both: what every member
#: has, and the board's administration (so "Consultations" and "Manage consultations" no
#: longer stand side by side in one long list).
GROUP_LABELS = {"member": _l("As a member"), "board": _l("Board")}


def groups(menu: str) -> list[tuple[str, object, list[NavItem]]]:
    """(key, label, items) of the visible entries of ``menu``: one unlabelled group, or the
    member's entries and the rest under their labels."""
    visible = items(menu)
    mine = [i for i in visible if i.permission == "member"]
    rest = [i for i in visible if i.permission != "member"]
    if menu != "coop" or not mine or not rest:
        return [("all", None, visible)]
    return [("member", GROUP_LABELS["member"], mine), ("board", GROUP_LABELS["board"], rest)]
