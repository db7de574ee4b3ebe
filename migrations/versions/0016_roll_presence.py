"""The roll records who was present or represented when a vote closed (the quorum)

Revision ID: 0016
Revises: 0013
Create Date: 2026-11-23 17:17:44.530766

"""
from alembic import op
import sqlalchemy as sa

import coop.core.db  # noqa: F401 — UTCDateTime columns


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('vote_roll', schema=None) as batch_op:
        batch_op.add_column(sa.Column('present', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('vote_roll', schema=None) as batch_op:
        batch_op.drop_column('present')

