"""Fixtures: ``app`` (schema built by the migrations), ``db`` (rolled back per test), ``client``,
``login_as`` and small factories. The suite runs on SQLite, and on PostgreSQL when
``COOP_TEST_BACKEND=postgresql`` and ``COOP_TEST_DATABASE_URL`` are set (``make test`` does both).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from coop import create_app
from coop.extensions import db as _db

TEST_PASSWORD = "correct horse battery staple"
_PW_HASH = generate_password_hash(TEST_PASSWORD)
SECRET = "test-secret-key-that-is-long-enough-0123456789"


def backend() -> str:
    return os.environ.get("COOP_TEST_BACKEND", "sqlite")


def _database_url(tmp_path_factory) -> str:
    if backend() == "postgresql":
        url = os.environ.get("COOP_TEST_DATABASE_URL")
        if not url:
            pytest.exit("COOP_TEST_BACKEND=postgresql needs COOP_TEST_DATABASE_URL", returncode=2)
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def make_test_config(tmp_path_factory, url: str, **extra) -> dict:
    cfg = {
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "MAIL_BACKEND": "file",
        "MAIL_DIR": str(tmp_path_factory.mktemp("mail")),
        "RATELIMIT_STORAGE_URI": "memory://",
        "BASE_URL": "http://coop.test",
        "SERVER_NAME": None,
    }
    cfg.update(extra)
    return cfg


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (own ``g``, own session), as in production.

    Without this, a request made while a test holds an app context reuses that context, so
    ``g`` (and the signed-in user cached in it) would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    if backend() == "postgresql":
        _reset_postgres(url)
    app = create_app(make_test_config(tmp_path_factory, url))
    app.test_client_class = FreshContextClient
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()  # the schema comes from the migrations, exactly as in production
        if _db.engine.dialect.name == "sqlite":
            _enable_sqlite_savepoints(_db.engine)
    yield app


def _enable_sqlite_savepoints(engine) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")

    engine.dispose()


@pytest.fixture
def db(app):
    """A session whose work is rolled back after the test (commits become savepoints)."""
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        # A plain Session bound to the connection (Flask-SQLAlchemy's own Session would pick
        # the engine again); one per app context, as Flask-SQLAlchemy scopes it.
        from flask_sqlalchemy.session import _app_ctx_id

        _db.session = sa.orm.scoped_session(
            sa.orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app, db):
    from coop.extensions import limiter

    with app.app_context():
        limiter.reset()  # rate-limit counters do not carry over between tests
    return app.test_client()


@pytest.fixture
def login_as(app):
    """``login_as(client, user)`` signs the test client in as ``user`` (no form round trip)."""

    def _login(client, user):
        with client.session_transaction() as s:
            s["_user_id"] = user.session_token
            s["_fresh"] = True
        return client

    return _login


# --- factories ---------------------------------------------------------------------------

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


@pytest.fixture
def make_user(db):
    from coop.auth.models import User

    def _make(email=None, name=None, **kw):
        n = _next()
        user = User(email=email or f"user{n}@example.net", name=name or f"User {n}",
                    password_hash=_PW_HASH, **kw)
        db.session.add(user)
        db.session.flush()
        return user

    return _make


@pytest.fixture
def make_municipality(db):
    from coop.orgs.models import Municipality

    def _make(slug=None, name=None):
        n = _next()
        muni = Municipality(name=name or f"Gemeente {n}", slug=slug or f"gemeente-{n}",
                            cbs_code=f"GM{n % 10000:04d}")
        db.session.add(muni)
        db.session.flush()
        return muni

    return _make


@pytest.fixture
def make_coop(db, make_municipality):
    from coop.orgs.models import Cooperative, StatutesProfile

    def _make(slug=None, municipality=None, name=None, domains=("energy",)):
        n = _next()
        coop = Cooperative(name=name or f"Coöperatie {n}", slug=slug or f"coop-{n}",
                           kvk_number=f"{10000000 + n}", municipality=municipality or make_municipality(),
                           founded_on=date(2020, 1, 1))
        coop.domains = list(domains)
        coop.statutes = StatutesProfile()
        db.session.add(coop)
        db.session.flush()
        return coop

    return _make


@pytest.fixture
def grant(db):
    from coop.orgs.models import BoardPosition, Role, RoleAssignment

    def _grant(user, role, cooperative=None, municipality=None, position=None):
        role = Role(role)
        ra = RoleAssignment(user=user, role=role, cooperative=cooperative, municipality=municipality,
                            board_position=(position or BoardPosition.CHAIR) if role == Role.BOARD else None)
        db.session.add(ra)
        db.session.flush()
        db.session.refresh(user)
        return ra

    return _grant


@pytest.fixture
def make_member(db):
    """``make_member(coop, status=MemberStatus.MEMBER, user=None, **fields)`` via the service,
    so that the member has a number and a history like any other."""
    from datetime import date

    from coop.members import services
    from coop.members.models import MemberStatus

    def _make(coop, status=None, user=None, on=None, **fields):
        n = _next()
        data = {"first_name": f"Voornaam{n}", "last_name": f"Achternaam{n}", "street": "Dorpsstraat",
                "house_number": str(n), "postcode": "1011 AA", "city": "Amsterdam"}
        if user is not None:
            data["email"] = user.email
        data.update(fields)
        member = services.create_member(coop, data, actor=None, status=status or MemberStatus.MEMBER,
                                        on=on or date(2024, 1, 1), confirm_duplicate=True,
                                        email_consent=bool(data.get("email")))
        if user is not None:
            member.user_id = user.id
        db.session.flush()
        return member

    return _make


@pytest.fixture
def world(db, make_user, make_coop, make_municipality, grant, make_member):
    """Two cooperatives (A in municipality M, B in N) and one person for each role."""

    class World:
        pass

    w = World()
    w.muni_m = make_municipality(slug="gem-m", name="Gemeente M")
    w.muni_n = make_municipality(slug="gem-n", name="Gemeente N")
    w.coop_a = make_coop(slug="coop-a", municipality=w.muni_m, name="Coöperatie A")
    w.coop_b = make_coop(slug="coop-b", municipality=w.muni_n, name="Coöperatie B")
    w.member_a = make_user("member-a@example.net", "Member A")
    grant(w.member_a, "member", w.coop_a)
    w.board_a = make_user("board-a@example.net", "Board A")
    grant(w.board_a, "board", w.coop_a)
    grant(w.board_a, "member", w.coop_a)
    w.member_b = make_user("member-b@example.net", "Member B")
    grant(w.member_b, "member", w.coop_b)
    w.board_b = make_user("board-b@example.net", "Board B")
    grant(w.board_b, "board", w.coop_b)
    grant(w.board_b, "member", w.coop_b)
    w.liaison_m = make_user("liaison-m@example.net", "Liaison M")
    grant(w.liaison_m, "liaison", municipality=w.muni_m)
    w.liaison_n = make_user("liaison-n@example.net", "Liaison N")
    grant(w.liaison_n, "liaison", municipality=w.muni_n)
    w.admin = make_user("admin@example.net", "Admin")
    grant(w.admin, "admin")
    # register entries of the members (and board members) with an account
    w.record_a = make_member(w.coop_a, user=w.member_a, first_name="Anna", last_name="Jansen")
    w.record_board_a = make_member(w.coop_a, user=w.board_a, first_name="Bert", last_name="Bakker")
    w.record_b = make_member(w.coop_b, user=w.member_b, first_name="Cor", last_name="de Vries")
    w.record_board_b = make_member(w.coop_b, user=w.board_b, first_name="Dirk", last_name="Visser")
    db.session.commit()
    return w


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: …`` then ``q.count`` is the number of SQL statements."""

    @contextmanager
    def _count():
        class Counter:
            count = 0
            statements: list[str] = []

        counter = Counter()
        counter.statements = []

        def before(conn, cursor, statement, *args):
            if statement.strip().upper() in ("BEGIN", "COMMIT", "ROLLBACK") or "SAVEPOINT" in statement.upper():
                return
            counter.count += 1
            counter.statements.append(statement)

        with app.app_context():
            engine = _db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return _count


def outbox(app) -> list:
    """The messages delivered by the file mail backend, as parsed e-mails."""
    from email import message_from_bytes, policy
    from pathlib import Path

    folder = Path(app.config["MAIL_DIR"])
    return [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"))]


@pytest.fixture
def mails(app):
    """Clears the file mail folder before the test; call ``mails()`` to read what was sent."""
    from pathlib import Path

    for p in Path(app.config["MAIL_DIR"]).glob("*.eml"):
        p.unlink()
    return lambda: outbox(app)


@pytest.fixture
def queries_stay_constant(count_queries):
    """``queries_stay_constant(client, url, grow, few, many)``: the page answers 200 with the
    same number of SQL statements after ``grow(few)`` and after ``grow(many)`` more rows."""

    def _check(client, url, grow, few, many, limit=12):
        grow(few)
        with count_queries() as q:
            assert client.get(url).status_code == 200
        small = q.count
        grow(many)
        with count_queries() as q:
            assert client.get(url).status_code == 200
        assert q.count == small, f"{url}: {small} queries with few rows, {q.count} with many"
        assert small <= limit, f"{url} uses {small} queries"

    return _check
