"""Voting: elections of several people by single transferable vote (vote.kind 'stv')

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 17:50:00

"""
from alembic import op

revision = "0015"
down_revision = '0014'
branch_labels = None
depends_on = None

OLD = "kind IN ('motion', 'election', 'approval', 'poll')"
NEW = "kind IN ('motion', 'election', 'approval', 'poll', 'stv')"


def upgrade():
    # SQLite cannot alter a CHECK constraint: batch mode copies the table.
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_vote_votekind"), type_="check")
        batch_op.create_check_constraint("votekind", NEW)


def downgrade():
    # Votes held by single transferable vote cannot be described by the older schema.
    op.execute("DELETE FROM vote WHERE kind = 'stv'")
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_vote_votekind"), type_="check")
        batch_op.create_check_constraint("votekind", OLD)
