"""PostgreSQL: the audit chain's head read under the tenant's lock in one round trip
(function coop_audit_head); nothing changes on SQLite

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-24 03:30:00

"""
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# Writers of one tenant's chain queue on the advisory lock until their transaction ends (the
# lock key is the one coop.core.audit used before this function). The head is read after the
# wait: each statement of a VOLATILE function takes a snapshot of its own, so it sees the entry
# the previous writer committed. One statement from the app instead of two.
CREATE = """
CREATE OR REPLACE FUNCTION coop_audit_head(chain text, OUT seq integer, OUT hash varchar)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit:' || chain));
    SELECT a.seq, a.hash INTO seq, hash FROM audit_entry AS a
     WHERE a.tenant_key = chain ORDER BY a.seq DESC LIMIT 1;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS coop_audit_head(text)")
