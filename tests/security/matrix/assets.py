"""Access-matrix rows of shared assets: board pages, the members' booking pages, the member's
own asset page and the iCalendar feeds (public, but only with a valid signed token)."""
from tests.security.matrix.common import COOP_A_BOARD, COOP_A_MEMBER, row


def _asset(kind):
    """URL argument: an asset of cooperative A of the given kind, made on first use."""
    def make(w):
        from coop.assets import services
        from coop.assets.models import Asset
        from coop.extensions import db

        found = db.session.scalar(db.select(Asset).where(Asset.cooperative_id == w.coop_a.id,
                                                         Asset.name == f"Matrix {kind}"))
        if found is None:
            extra = {"solar": {"unit_price_cents": 10000}, "vehicle": {"is_bookable": True},
                     "dwelling": {}}[kind]
            found = services.create_asset(w.coop_a, {"kind": kind, "name": f"Matrix {kind}",
                                                     "status": "in_operation", **extra}, actor=None)
            db.session.commit()
        return found.id
    return make


def _distribution(w):
    from datetime import date

    from coop.assets import revenue, services
    from coop.assets.models import Asset, Distribution
    from coop.extensions import db

    asset = db.session.get(Asset, _asset("solar")(w))
    found = db.session.scalar(db.select(Distribution).where(Distribution.asset_id == asset.id))
    if found is None:
        if not services.holders(asset, date(2024, 12, 31)):
            m = services.propose_mutation(asset, kind="issue", member=w.record_a, quantity=1,
                                          effective_on=date(2024, 1, 1), actor=None)
            services.approve_mutation(m, actor=None)
        found = revenue.create_distribution(asset, period_start_on=date(2024, 1, 1),
                                            period_end_on=date(2024, 12, 31), amount_cents=100,
                                            actor=None)
        db.session.commit()
    return found.id


def _mutation(w):
    from datetime import date

    from coop.assets import services
    from coop.assets.models import Asset
    from coop.extensions import db

    asset = db.session.get(Asset, _asset("solar")(w))
    m = services.propose_mutation(asset, kind="issue", member=w.record_board_a, quantity=1,
                                  effective_on=date(2024, 1, 1), actor=None)
    db.session.commit()
    return m.id


def _task(w):
    from datetime import date

    from coop.assets import services
    from coop.assets.models import Asset
    from coop.extensions import db

    t = services.add_task(db.session.get(Asset, _asset("solar")(w)), title="Matrix", notes=None,
                          due_on=date(2030, 1, 1), done_on=None, responsible_user_id=None, actor=None)
    db.session.commit()
    return t.id


def _booking(w):
    from datetime import datetime, timedelta, timezone

    from coop.assets import bookings
    from coop.assets.models import Asset, Booking
    from coop.extensions import db

    # a fresh slot each time (the row is resolved once per visitor)
    existing = len(db.session.scalars(db.select(Booking.id)).all())
    start = (datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=300)
             + timedelta(hours=3 * existing))
    b = bookings.book(db.session.get(Asset, _asset("vehicle")(w)), w.record_board_a,
                      starts_at=start, ends_at=start + timedelta(hours=1), actor=None)
    db.session.commit()
    return b.id


def _feed(w):
    from flask import current_app

    from coop.assets import bookings

    with current_app.test_request_context():
        return bookings.feed_token("asset", _asset("vehicle")(w))


def _document(w):
    import io

    from flask import current_app

    from coop.assets import services
    from coop.assets.models import Asset
    from coop.extensions import db

    # uploads of the test session go next to its temporary mail folder, never to instance/
    current_app.config["UPLOAD_DIR"] = current_app.config["MAIL_DIR"] + "-uploads"
    d = services.add_document(db.session.get(Asset, _asset("solar")(w)), io.BytesIO(b"%PDF-1.4 matrix"),
                              filename="m.pdf", title="Matrix", actor=None)
    db.session.commit()
    return d.id


A = {"coop": "coop-a"}
SOLAR = {"coop": "coop-a", "asset_id": _asset("solar")}
CAR = {"coop": "coop-a", "asset_id": _asset("vehicle")}
HOME = {"coop": "coop-a", "asset_id": _asset("dwelling")}
DIST = {"coop": "coop-a", "distribution_id": _distribution}
OK_FOR_ALL = row("ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok")
NOT_FOUND = row("404", "404", "404", "404", "404", "404", "404", "404")
#: cancelling someone else's booking: only the board (or the member who booked it)
CANCEL = row("login", "403", "ok", "404", "404", "404", "404", "404")

ROWS = {
    "assets.list_assets": (A, {"GET": COOP_A_BOARD}),
    "assets.new_asset": (A, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "assets.show_asset": (SOLAR, {"GET": COOP_A_BOARD}),
    "assets.edit_asset": (SOLAR, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "assets.add_document": (SOLAR, {"POST": COOP_A_BOARD}),
    "assets.download_document": ({"coop": "coop-a", "document_id": _document}, {"GET": COOP_A_BOARD}),
    "assets.list_participations": (SOLAR, {"GET": COOP_A_BOARD}),
    "assets.propose_participation": (SOLAR, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "assets.approve_participation": ({"coop": "coop-a", "mutation_id": _mutation}, {"POST": COOP_A_BOARD}),
    "assets.reject_participation": ({"coop": "coop-a", "mutation_id": _mutation}, {"POST": COOP_A_BOARD}),
    "assets.list_readings": (SOLAR, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "assets.import_readings": (SOLAR, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "assets.emission_factors": (A, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "assets.list_distributions": (A, {"GET": COOP_A_BOARD}),
    "assets.new_distribution": (SOLAR, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "assets.show_distribution": (DIST, {"GET": COOP_A_BOARD}),
    "assets.approve_distribution": (DIST, {"POST": COOP_A_BOARD}),
    "assets.discard_distribution": (DIST, {"POST": COOP_A_BOARD}),
    "assets.export_distribution_csv": (DIST, {"GET": COOP_A_BOARD}),
    "assets.sepa_export": (DIST, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "assets.list_tasks": (SOLAR, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "assets.complete_task": ({"coop": "coop-a", "task_id": _task}, {"POST": COOP_A_BOARD}),
    "assets.dwelling": (HOME, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "assets.waiting_list": (A, {"GET": COOP_A_BOARD, "POST": COOP_A_BOARD}),
    "assets.list_bookable": (A, {"GET": COOP_A_MEMBER}),
    "assets.asset_calendar": (CAR, {"GET": COOP_A_MEMBER, "POST": COOP_A_MEMBER}),
    # a booking of the board member: member A may not cancel it
    "assets.cancel_booking": ({"coop": "coop-a", "booking_id": _booking}, {"POST": CANCEL}),
    "assets.my_assets": (A, {"GET": COOP_A_MEMBER}),
    "assets.download_yield": (A, {"GET": COOP_A_MEMBER}),
    "assets.ical_feed": ({"token": _feed}, {"GET": OK_FOR_ALL}),
}
