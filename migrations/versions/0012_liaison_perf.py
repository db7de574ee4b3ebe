"""liaison performance (issue 8, Measure): indexes for the inbox views and the API list

The inbox reads its page in (due date, id) order: for open requests (a partial index), for all
requests, and per request type (the kind filter); the API list reads in id order per municipality.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 15:17:30.224655

"""
from alembic import op
import sqlalchemy as sa

import coop.core.db  # noqa: F401 — UTCDateTime columns


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('liaison_request', schema=None) as batch_op:
        batch_op.create_index('ix_liaison_request_muni_due', ['municipality_id', 'due_on', 'id'], unique=False)
        batch_op.create_index('ix_liaison_request_muni_id', ['municipality_id', 'id'], unique=False)
        batch_op.create_index('ix_liaison_request_muni_type_due', ['municipality_id', 'request_type_id', 'due_on', 'id'], unique=False)
        batch_op.create_index('ix_liaison_request_open_due', ['municipality_id', 'due_on', 'id'], unique=False, sqlite_where=sa.text("status IN ('submitted', 'acknowledged', 'information_requested', 'in_progress')"), postgresql_where=sa.text("status IN ('submitted', 'acknowledged', 'information_requested', 'in_progress')"))


def downgrade():
    with op.batch_alter_table('liaison_request', schema=None) as batch_op:
        batch_op.drop_index('ix_liaison_request_open_due', sqlite_where=sa.text("status IN ('submitted', 'acknowledged', 'information_requested', 'in_progress')"), postgresql_where=sa.text("status IN ('submitted', 'acknowledged', 'information_requested', 'in_progress')"))
        batch_op.drop_index('ix_liaison_request_muni_type_due')
        batch_op.drop_index('ix_liaison_request_muni_id')
        batch_op.drop_index('ix_liaison_request_muni_due')
