"""Navigation entries, registered by each area next to its views (base.html shows them).

``add("coop", "members.list_members", _l("Members"), "board", order=20)`` puts a link in the
cooperative's menu for those with the ``board`` permission there.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, render_template, request
from markupsafe import Markup

from coop.core.i18n import lazy_gettext as _l


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


#: How many rendered menus a worker keeps (per app); when full it starts afresh.
RENDERED_MAX = 2048


def tenant_nav() -> Markup:
    """The menu of the current cooperative or municipality, as HTML ('' outside a tenant).

    Every page of a tenant shows it, and rendering it (a link and a permission check per entry)
    cost more than many pages' own content. What it shows depends only on the tenant (its
    address and name), the language, which permissions the visitor holds there and the current
    page, so each combination is rendered once per worker and then reused.
    """
    from coop.core.i18n import locale
    from coop.core.permissions import can

    coop, municipality = g.get("coop"), g.get("municipality")
    if coop is None and municipality is None:
        return Markup("")
    menu, tenant = ("coop", coop) if coop is not None else ("municipality", municipality)
    held = tuple(can(name) for name in _permissions(menu))
    key = (menu, tenant.id, tenant.slug, tenant.name, str(locale()), request.script_root,
           request.endpoint, held)
    rendered = current_app.extensions.setdefault("coop.nav", {})
    html = rendered.get(key)
    if html is None:
        html = Markup(render_template("_partials/tenant_nav.html", groups=groups(menu),
                                      endpoint=request.endpoint))
        if len(rendered) >= RENDERED_MAX:
            rendered.clear()
        rendered[key] = html
    return html


def _permissions(menu: str) -> tuple[str, ...]:
    return tuple(sorted({i.permission for i in MENUS[menu]}))
