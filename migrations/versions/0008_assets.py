"""shared assets: register, participations, readings, distributions, bookings, dwellings, upkeep

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-23 09:17:59.270410

"""
from alembic import op
import sqlalchemy as sa

import coop.core.db  # noqa: F401 — UTCDateTime columns

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('asset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('solar', 'wind', 'battery', 'heat_network', 'building', 'dwelling', 'vehicle', 'room', 'equipment', 'other', name='assetkind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_operation', 'out_of_service', 'sold', name='assetstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('commissioned_on', sa.Date(), nullable=True),
    sa.Column('value_cents', sa.BigInteger(), nullable=True),
    sa.Column('capacity_watts', sa.BigInteger(), nullable=True),
    sa.Column('ean_code', sa.String(length=18), nullable=True),
    sa.Column('responsible_user_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('unit_price_cents', sa.Integer(), nullable=True),
    sa.Column('units_available', sa.Integer(), nullable=True),
    sa.Column('min_units_per_member', sa.Integer(), server_default='0', nullable=False),
    sa.Column('max_units_per_member', sa.Integer(), nullable=True),
    sa.Column('postcode_areas', sa.String(length=400), server_default='', nullable=False),
    sa.Column('is_bookable', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('max_hours_per_month', sa.Integer(), nullable=True),
    sa.Column('max_open_bookings', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity_watts IS NULL OR capacity_watts > 0', name=op.f('ck_asset_capacity_positive')),
    sa.CheckConstraint('max_hours_per_month IS NULL OR max_hours_per_month > 0', name=op.f('ck_asset_max_hours_positive')),
    sa.CheckConstraint('max_open_bookings IS NULL OR max_open_bookings > 0', name=op.f('ck_asset_max_open_positive')),
    sa.CheckConstraint('max_units_per_member IS NULL OR max_units_per_member >= min_units_per_member', name=op.f('ck_asset_max_units_above_min')),
    sa.CheckConstraint('min_units_per_member >= 0', name=op.f('ck_asset_min_units_not_negative')),
    sa.CheckConstraint('unit_price_cents IS NULL OR unit_price_cents > 0', name=op.f('ck_asset_unit_price_positive')),
    sa.CheckConstraint('value_cents IS NULL OR value_cents >= 0', name=op.f('ck_asset_value_not_negative')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_asset_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['responsible_user_id'], ['user.id'], name=op.f('fk_asset_responsible_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset')),
    sa.UniqueConstraint('cooperative_id', 'name', name='uq_asset_coop_name')
    )
    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('emission_factor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('grams_per_kwh', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.CheckConstraint('grams_per_kwh >= 0', name=op.f('ck_emission_factor_grams_not_negative')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_emission_factor_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emission_factor')),
    sa.UniqueConstraint('cooperative_id', 'year', name='uq_emission_factor_coop_year')
    )
    op.create_table('asset_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('read_on', sa.Date(), nullable=False),
    sa.Column('meter_kwh', sa.BigInteger(), nullable=False),
    sa.Column('is_meter_replacement', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('meter_kwh >= 0', name=op.f('ck_asset_reading_meter_not_negative')),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_asset_reading_asset_id_asset'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_asset_reading_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_asset_reading_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_reading')),
    sa.UniqueConstraint('asset_id', 'read_on', name='uq_asset_reading_asset_day')
    )
    with op.batch_alter_table('asset_reading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_reading_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('distribution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('period_start_on', sa.Date(), nullable=False),
    sa.Column('period_end_on', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('kwh', sa.BigInteger(), nullable=True),
    sa.Column('price_per_kwh_millis', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('draft', 'approved', name='distributionstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', coop.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_distribution_amount_positive')),
    sa.CheckConstraint('period_end_on >= period_start_on', name=op.f('ck_distribution_period_order')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_distribution_approved_by_id_user')),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_distribution_asset_id_asset'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_distribution_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_distribution_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution'))
    )
    with op.batch_alter_table('distribution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distribution_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_distribution_cooperative_id'), ['cooperative_id'], unique=False)

    op.create_table('maintenance_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('responsible_user_id', sa.Integer(), nullable=True),
    sa.Column('reminded_at', coop.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_maintenance_task_asset_id_asset'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_maintenance_task_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['responsible_user_id'], ['user.id'], name=op.f('fk_maintenance_task_responsible_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_task'))
    )
    with op.batch_alter_table('maintenance_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenance_task_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index('ix_maintenance_task_due', ['cooperative_id', 'done_on', 'due_on'], unique=False)

    op.create_table('booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('active', 'cancelled', name='bookingstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', coop.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_booking_ends_after_start')),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_booking_asset_id_asset'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_booking_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_booking_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        # No two active bookings of one asset overlap, whatever the code does (btree_gist gives
        # GiST the '=' on integers; a trusted extension since PostgreSQL 13).
        op.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
        op.execute("ALTER TABLE booking ADD CONSTRAINT ex_booking_no_overlap EXCLUDE USING gist "
                   "(asset_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
                   "WHERE (status = 'active')")
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index('ix_booking_asset_time', ['asset_id', 'status', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index('ix_booking_member_time', ['member_id', 'status', 'starts_at'], unique=False)

    op.create_table('distribution_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('distribution_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('unit_days', sa.BigInteger(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount_cents >= 0', name=op.f('ck_distribution_share_amount_not_negative')),
    sa.CheckConstraint('unit_days > 0', name=op.f('ck_distribution_share_unit_days_positive')),
    sa.ForeignKeyConstraint(['distribution_id'], ['distribution.id'], name=op.f('fk_distribution_share_distribution_id_distribution'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_distribution_share_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution_share')),
    sa.UniqueConstraint('distribution_id', 'member_id', name='uq_distribution_share_member')
    )
    with op.batch_alter_table('distribution_share', schema=None) as batch_op:
        batch_op.create_index('ix_distribution_share_member', ['member_id'], unique=False)

    op.create_table('dwelling_allocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('household', sa.String(length=200), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_dwelling_allocation_period_order')),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_dwelling_allocation_asset_id_asset'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_dwelling_allocation_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_dwelling_allocation_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dwelling_allocation'))
    )
    with op.batch_alter_table('dwelling_allocation', schema=None) as batch_op:
        batch_op.create_index('ix_dwelling_allocation_asset', ['asset_id', 'starts_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_dwelling_allocation_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dwelling_allocation_member_id'), ['member_id'], unique=False)

    op.create_table('participation_mutation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('issue', 'transfer', 'redemption', name='sharetransactionkind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'approved', 'rejected', name='sharetransactionstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('counterparty_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', coop.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'transfer') = (counterparty_id IS NOT NULL)", name=op.f('ck_participation_mutation_counterparty_for_transfer')),
    sa.CheckConstraint('counterparty_id IS NULL OR counterparty_id <> member_id', name=op.f('ck_participation_mutation_not_to_self')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_participation_mutation_quantity_positive')),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_participation_mutation_asset_id_asset'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_participation_mutation_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['counterparty_id'], ['member.id'], name=op.f('fk_participation_mutation_counterparty_id_member')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_participation_mutation_decided_by_id_user')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_participation_mutation_member_id_member')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'], name=op.f('fk_participation_mutation_proposed_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participation_mutation'))
    )
    with op.batch_alter_table('participation_mutation', schema=None) as batch_op:
        batch_op.create_index('ix_participation_mutation_asset', ['asset_id', 'status', 'effective_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_participation_mutation_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index('ix_participation_mutation_counterparty', ['counterparty_id', 'status'], unique=False)
        batch_op.create_index('ix_participation_mutation_member', ['member_id', 'status'], unique=False)

    op.create_table('waiting_list_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('preferences', sa.Text(), nullable=True),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_waiting_list_entry_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_waiting_list_entry_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waiting_list_entry')),
    sa.UniqueConstraint('member_id', name=op.f('uq_waiting_list_entry_member_id'))
    )
    with op.batch_alter_table('waiting_list_entry', schema=None) as batch_op:
        batch_op.create_index('ix_waiting_list_entry_coop', ['cooperative_id', 'registered_on', 'id'], unique=False)

    op.create_table('asset_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_asset_document_size_positive')),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_asset_document_asset_id_asset'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_asset_document_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_asset_document_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_document')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_asset_document_stored_name'))
    )
    with op.batch_alter_table('asset_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_document_asset_id'), ['asset_id'], unique=False)



def downgrade():
    with op.batch_alter_table('asset_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_document_asset_id'))

    op.drop_table('asset_document')
    with op.batch_alter_table('waiting_list_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_waiting_list_entry_coop')

    op.drop_table('waiting_list_entry')
    with op.batch_alter_table('participation_mutation', schema=None) as batch_op:
        batch_op.drop_index('ix_participation_mutation_member')
        batch_op.drop_index('ix_participation_mutation_counterparty')
        batch_op.drop_index(batch_op.f('ix_participation_mutation_cooperative_id'))
        batch_op.drop_index('ix_participation_mutation_asset')

    op.drop_table('participation_mutation')
    with op.batch_alter_table('dwelling_allocation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dwelling_allocation_member_id'))
        batch_op.drop_index(batch_op.f('ix_dwelling_allocation_cooperative_id'))
        batch_op.drop_index('ix_dwelling_allocation_asset')

    op.drop_table('dwelling_allocation')
    with op.batch_alter_table('distribution_share', schema=None) as batch_op:
        batch_op.drop_index('ix_distribution_share_member')

    op.drop_table('distribution_share')
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_member_time')
        batch_op.drop_index(batch_op.f('ix_booking_cooperative_id'))
        batch_op.drop_index('ix_booking_asset_time')

    op.drop_table('booking')
    with op.batch_alter_table('maintenance_task', schema=None) as batch_op:
        batch_op.drop_index('ix_maintenance_task_due')
        batch_op.drop_index(batch_op.f('ix_maintenance_task_asset_id'))

    op.drop_table('maintenance_task')
    with op.batch_alter_table('distribution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distribution_cooperative_id'))
        batch_op.drop_index(batch_op.f('ix_distribution_asset_id'))

    op.drop_table('distribution')
    with op.batch_alter_table('asset_reading', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_reading_cooperative_id'))

    op.drop_table('asset_reading')
    op.drop_table('emission_factor')
    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_cooperative_id'))

    op.drop_table('asset')
