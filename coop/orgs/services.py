"""Creating cooperatives and municipalities, and changing the statutes profile."""
from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select

from coop.core import audit
from coop.core.errors import DomainError
from coop.core.i18n import lazy_gettext as _l
from coop.extensions import db
from coop.orgs import validators as v
from coop.orgs.models import Cooperative, Domain, Municipality, StatutesProfile

#: The statutes settings a board can edit, in the order the form shows them.
STATUTES_FIELDS = [c.key for c in StatutesProfile.__table__.columns if c.key != "cooperative_id"]


def _check_slug(model, slug: str) -> None:
    if not v.is_slug(slug):
        raise DomainError(_l("Use 2–60 lower-case letters, digits and hyphens."), field="slug")
    if db.session.scalar(select(exists().where(model.slug == slug))):
        raise DomainError(_l("This web address is already taken."), field="slug")


def create_municipality(*, name: str, slug: str, cbs_code: str, actor) -> Municipality:
    cbs = v.normalise_cbs(cbs_code)
    if not v.is_cbs(cbs):
        raise DomainError(_l("A CBS code is GM followed by four digits, e.g. GM0014."), field="cbs_code")
    _check_slug(Municipality, slug)
    if db.session.scalar(select(exists().where(Municipality.cbs_code == cbs))):
        raise DomainError(_l("A municipality with this CBS code exists already."), field="cbs_code")
    muni = Municipality(name=name.strip(), slug=slug, cbs_code=cbs)
    db.session.add(muni)
    db.session.flush()
    audit.record("orgs.create_municipality", actor=actor, municipality=muni, obj=muni,
                 name=muni.name, cbs_code=cbs)
    return muni


def create_cooperative(*, name: str, slug: str, kvk_number: str, municipality: Municipality,
                       domains: list[str], founded_on: date | None, actor) -> Cooperative:
    kvk = v.normalise_kvk(kvk_number)
    if not v.is_kvk(kvk):
        raise DomainError(_l("A KvK number has exactly 8 digits."), field="kvk_number")
    _check_slug(Cooperative, slug)
    if db.session.scalar(select(exists().where(Cooperative.kvk_number == kvk))):
        raise DomainError(_l("A cooperative with this KvK number exists already."), field="kvk_number")
    if not domains:
        raise DomainError(_l("Choose at least one domain."), field="domains")
    if founded_on and founded_on > date.today():
        raise DomainError(_l("The founding date cannot be in the future."), field="founded_on")
    coop = Cooperative(name=name.strip(), slug=slug, kvk_number=kvk, municipality=municipality,
                       founded_on=founded_on)
    coop.domains = [Domain(d) for d in domains]
    coop.statutes = StatutesProfile()
    db.session.add(coop)
    db.session.flush()
    audit.record("orgs.create_cooperative", actor=actor, cooperative=coop, obj=coop,
                 name=coop.name, kvk_number=kvk, in_municipality=municipality.slug,
                 domains=[d.value for d in coop.domains])
    return coop


def update_statutes(coop: Cooperative, values: dict, *, actor) -> dict:
    """Change statutes settings; returns {field: [old, new]} of what changed (audited)."""
    profile = coop.statutes
    changed = {}
    for key in STATUTES_FIELDS:
        if key in values and getattr(profile, key) != values[key]:
            changed[key] = [getattr(profile, key), values[key]]
            setattr(profile, key, values[key])
    if profile.ordinary_majority_num >= profile.ordinary_majority_den:
        raise DomainError(_l("The ordinary majority must be a fraction below one."))
    if profile.qualified_majority_num > profile.qualified_majority_den:
        raise DomainError(_l("The qualified majority cannot exceed all votes."))
    if profile.qualified_quorum_num > profile.qualified_quorum_den:
        raise DomainError(_l("The quorum cannot exceed all members."))
    if changed:
        db.session.flush()
        audit.record("orgs.update_statutes", actor=actor, cooperative=coop, obj=profile,
                     object_id=coop.id, **changed)
    return changed
