"""Navigation entries, registered by each area next to its views (base.html shows them).

``add("coop", "members.list_members", _l("Members"), "board", order=20)`` puts a link in the
cooperative's menu for those with the ``board`` permission there.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    order: int
    endpoint: str
    label: object
    permission: str


MENUS: dict[str, list[NavItem]] = {"coop": [], "municipality": [], "me": []}


def add(menu: str, endpoint: str, label, permission: str, order: int = 50) -> None:
    items = MENUS[menu]
    if any(i.endpoint == endpoint for i in items):
        return
    items.append(NavItem(order, endpoint, label, permission))
    items.sort(key=lambda i: i.order)


def items(menu: str) -> list[NavItem]:
    from coop.core.permissions import can

    return [i for i in MENUS[menu] if can(i.permission)]
