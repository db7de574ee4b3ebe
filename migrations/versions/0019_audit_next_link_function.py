"""PostgreSQL: the next link of an audit chain (lock, head, time and hash) worked out in one
function, so that an entry is written in one statement (function coop_audit_next, replacing
coop_audit_head); nothing changes on SQLite

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-24 06:00:00

"""
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# Writers of one tenant's chain queue on the advisory lock until their transaction ends. After
# the wait, the head is read (each statement of a VOLATILE function takes a snapshot of its own,
# so it sees the entry the previous writer committed) and the entry's time is taken: entries
# follow each other in time as in sequence. The hash is SHA-256 of the JSON text that
# coop.core.audit.entry_hash hashes, built around ``middle``, the part the app knows beforehand
# (actor, action, object, details); the app's insert takes the four values from here.
CREATE = """
CREATE OR REPLACE FUNCTION coop_audit_next(
    p_chain text, p_chain_json text, p_middle text,
    OUT seq integer, OUT prev_hash varchar, OUT created_at timestamptz, OUT hash varchar)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit:' || p_chain));
    SELECT a.seq + 1, a.hash INTO seq, prev_hash FROM audit_entry AS a
     WHERE a.tenant_key = p_chain ORDER BY a.seq DESC LIMIT 1;
    seq := coalesce(seq, 1);
    prev_hash := coalesce(prev_hash, repeat('0', 64));
    created_at := clock_timestamp();
    hash := encode(sha256(convert_to(
        '["' || prev_hash || '",' || p_chain_json || ',' || seq || ',' || p_middle || ',"'
        || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00"]',
        'UTF8')), 'hex');
END
$$
"""


def _as_0018_created_it() -> str:
    """Migration 0018's CREATE FUNCTION coop_audit_head (the downgrade restores it), read from
    that migration instead of copied here."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "coop_migration_0018", Path(__file__).with_name("0018_audit_chain_head_function.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CREATE


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE)
        op.execute("DROP FUNCTION IF EXISTS coop_audit_head(text)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_as_0018_created_it())
        op.execute("DROP FUNCTION IF EXISTS coop_audit_next(text, text, text)")
