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
