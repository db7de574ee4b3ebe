"""member search: sort-order indexes, and trigram indexes on PostgreSQL

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 08:20:00

"""
from alembic import op
import sqlalchemy as sa

import coop.core.db  # noqa: F401 — UTCDateTime columns


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_coop_sort')
        batch_op.drop_index('ix_member_coop_postcode')
        batch_op.create_index('ix_member_coop_sort', ['cooperative_id', 'sort_name', 'id'], unique=False)
        batch_op.create_index('ix_member_coop_postcode', ['cooperative_id', 'postcode', 'sort_name', 'id'],
                              unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.create_index('ix_member_sort_name_trgm', 'member', ['sort_name'], postgresql_using='gin',
                        postgresql_ops={'sort_name': 'gin_trgm_ops'})
        op.create_index('ix_member_email_trgm', 'member', ['email'], postgresql_using='gin',
                        postgresql_ops={'email': 'gin_trgm_ops'})
        # "begins with" on postcodes in any collation
        op.create_index('ix_member_postcode_trgm', 'member', ['postcode'], postgresql_using='gin',
                        postgresql_ops={'postcode': 'gin_trgm_ops'})


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_member_postcode_trgm', table_name='member')
        op.drop_index('ix_member_email_trgm', table_name='member')
        op.drop_index('ix_member_sort_name_trgm', table_name='member')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_coop_postcode')
        batch_op.drop_index('ix_member_coop_sort')
        batch_op.create_index('ix_member_coop_postcode', ['cooperative_id', 'postcode'], unique=False)
        batch_op.create_index('ix_member_coop_sort', ['cooperative_id', 'sort_name'], unique=False)
