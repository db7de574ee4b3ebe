"""general meetings: meetings, agenda, documents, convocations, proposals, questions, attendance,
proxies; proposal thresholds in the statutes profile

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 09:19:49.551294

"""
from alembic import op
import sqlalchemy as sa

import coop.core.db  # noqa: F401 — UTCDateTime columns


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('general_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('regular', 'extraordinary', 'second', name='meetingkind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('first_meeting_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'convened', 'in_session', 'closed', 'minutes_adopted', name='meetingstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('starts_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('record_on', sa.Date(), nullable=False),
    sa.Column('agenda_version', sa.Integer(), nullable=False),
    sa.Column('current_position', sa.Integer(), nullable=True),
    sa.Column('convened_at', coop.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('convened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', coop.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('voting_opened_at', coop.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', coop.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('minutes_adopted_at', coop.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('minutes_intro', sa.Text(), nullable=True),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'second') = (first_meeting_id IS NOT NULL)", name=op.f('ck_general_meeting_second_links_first')),
    sa.CheckConstraint("status = 'draft' OR convened_at IS NOT NULL", name=op.f('ck_general_meeting_convened_at_set')),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_general_meeting_duration_positive')),
    sa.CheckConstraint('place IS NOT NULL OR online_url IS NOT NULL', name=op.f('ck_general_meeting_place_or_online')),
    sa.ForeignKeyConstraint(['convened_by_id'], ['user.id'], name=op.f('fk_general_meeting_convened_by_id_user')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_general_meeting_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['first_meeting_id'], ['general_meeting.id'], name=op.f('fk_general_meeting_first_meeting_id_general_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_general_meeting'))
    )
    with op.batch_alter_table('general_meeting', schema=None) as batch_op:
        batch_op.create_index('ix_general_meeting_coop_starts', ['cooperative_id', 'starts_at'], unique=False)

    op.create_table('agenda_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('announcement', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_agenda_change_actor_id_user')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_agenda_change_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['general_meeting.id'], name=op.f('fk_agenda_change_meeting_id_general_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_change'))
    )
    with op.batch_alter_table('agenda_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_change_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_change_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('rsvp', sa.Enum('yes', 'online', 'no', name='rsvp', native_enum=False, create_constraint=True, length=8), nullable=True),
    sa.Column('rsvp_at', coop.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('checked_in_at', coop.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.Column('online_seen_at', coop.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['user.id'], name=op.f('fk_attendance_checked_in_by_id_user')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_attendance_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['general_meeting.id'], name=op.f('fk_attendance_meeting_id_general_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_attendance_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('meeting_id', 'member_id', name='uq_attendance_meeting_member')
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index('ix_attendance_meeting_checked_in', ['meeting_id', 'checked_in_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_member_id'), ['member_id'], unique=False)

    op.create_table('convocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('sent_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_convocation_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['general_meeting.id'], name=op.f('fk_convocation_meeting_id_general_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_convocation_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convocation')),
    sa.UniqueConstraint('meeting_id', 'member_id', name='uq_convocation_meeting_member'),
    sa.UniqueConstraint('token', name=op.f('uq_convocation_token'))
    )
    with op.batch_alter_table('convocation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_convocation_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_convocation_member_id'), ['member_id'], unique=False)

    op.create_table('member_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('information', 'discussion', 'decision', 'election', name='itemkind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('status', sa.Enum('collecting', 'on_agenda', 'withdrawn', name='proposalstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['member.id'], name=op.f('fk_member_proposal_author_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_member_proposal_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['general_meeting.id'], name=op.f('fk_member_proposal_meeting_id_general_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_proposal'))
    )
    with op.batch_alter_table('member_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_proposal_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_proposal_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('member_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', coop.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_member_question_answered_by_id_user')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_member_question_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['general_meeting.id'], name=op.f('fk_member_question_meeting_id_general_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_member_question_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_question'))
    )
    with op.batch_alter_table('member_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_question_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_question_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_question_member_id'), ['member_id'], unique=False)

    op.create_table('agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('kind', sa.Enum('information', 'discussion', 'decision', 'election', name='itemkind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('is_statute_amendment', sa.Boolean(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('adopts_minutes_of_id', sa.Integer(), nullable=True),
    sa.Column('minutes_text', sa.Text(), nullable=True),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['adopts_minutes_of_id'], ['general_meeting.id'], name=op.f('fk_agenda_item_adopts_minutes_of_id_general_meeting')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_agenda_item_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['general_meeting.id'], name=op.f('fk_agenda_item_meeting_id_general_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['member_proposal.id'], name=op.f('fk_agenda_item_proposal_id_member_proposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_item'))
    )
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_item_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index('ix_agenda_item_meeting_position', ['meeting_id', 'position'], unique=False)

    op.create_table('proposal_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('signed_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_proposal_signature_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['member_proposal.id'], name=op.f('fk_proposal_signature_proposal_id_member_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_signature')),
    sa.UniqueConstraint('proposal_id', 'member_id', name='uq_proposal_signature_member')
    )
    with op.batch_alter_table('proposal_signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_signature_member_id'), ['member_id'], unique=False)

    op.create_table('meeting_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('document', 'proxy_scan', name='documentkind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('file_type', sa.String(length=8), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_meeting_document_size_positive')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_meeting_document_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_item.id'], name=op.f('fk_meeting_document_item_id_agenda_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['general_meeting.id'], name=op.f('fk_meeting_document_meeting_id_general_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_meeting_document_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_document')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_meeting_document_stored_name'))
    )
    with op.batch_alter_table('meeting_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_document_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_document_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_document_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('proxy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('grantor_id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('online', 'paper', name='proxysource', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('scan_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', coop.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', coop.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("source <> 'paper' OR scan_id IS NOT NULL", name=op.f('ck_proxy_paper_has_scan')),
    sa.CheckConstraint('grantor_id <> holder_id', name=op.f('ck_proxy_not_to_self')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperative.id'], name=op.f('fk_proxy_cooperative_id_cooperative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user.id'], name=op.f('fk_proxy_granted_by_id_user')),
    sa.ForeignKeyConstraint(['grantor_id'], ['member.id'], name=op.f('fk_proxy_grantor_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['holder_id'], ['member.id'], name=op.f('fk_proxy_holder_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['general_meeting.id'], name=op.f('fk_proxy_meeting_id_general_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_proxy_revoked_by_id_user')),
    sa.ForeignKeyConstraint(['scan_id'], ['meeting_document.id'], name=op.f('fk_proxy_scan_id_meeting_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proxy'))
    )
    with op.batch_alter_table('proxy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proxy_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index('ix_proxy_meeting_holder', ['meeting_id', 'holder_id'], unique=False)
        batch_op.create_index('uq_proxy_meeting_grantor_active', ['meeting_id', 'grantor_id'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    with op.batch_alter_table('statutes_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposal_min_members', sa.Integer(), server_default='10', nullable=False))
        batch_op.add_column(sa.Column('proposal_min_percent', sa.Integer(), server_default='10', nullable=False))
        batch_op.create_check_constraint(op.f('ck_statutes_profile_proposal_min_members'), 'proposal_min_members >= 0')
        batch_op.create_check_constraint(op.f('ck_statutes_profile_proposal_min_percent'),
                                         'proposal_min_percent BETWEEN 0 AND 100')



def downgrade():
    with op.batch_alter_table('statutes_profile', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_statutes_profile_proposal_min_percent'), type_='check')
        batch_op.drop_constraint(op.f('ck_statutes_profile_proposal_min_members'), type_='check')
        batch_op.drop_column('proposal_min_percent')
        batch_op.drop_column('proposal_min_members')

    with op.batch_alter_table('proxy', schema=None) as batch_op:
        batch_op.drop_index('uq_proxy_meeting_grantor_active', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_index('ix_proxy_meeting_holder')
        batch_op.drop_index(batch_op.f('ix_proxy_cooperative_id'))

    op.drop_table('proxy')
    with op.batch_alter_table('meeting_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_document_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_document_item_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_document_cooperative_id'))

    op.drop_table('meeting_document')
    with op.batch_alter_table('proposal_signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_signature_member_id'))

    op.drop_table('proposal_signature')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_item_meeting_position')
        batch_op.drop_index(batch_op.f('ix_agenda_item_cooperative_id'))

    op.drop_table('agenda_item')
    with op.batch_alter_table('member_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_question_member_id'))
        batch_op.drop_index(batch_op.f('ix_member_question_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_member_question_cooperative_id'))

    op.drop_table('member_question')
    with op.batch_alter_table('member_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_proposal_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_member_proposal_cooperative_id'))

    op.drop_table('member_proposal')
    with op.batch_alter_table('convocation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_convocation_member_id'))
        batch_op.drop_index(batch_op.f('ix_convocation_cooperative_id'))

    op.drop_table('convocation')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_member_id'))
        batch_op.drop_index('ix_attendance_meeting_checked_in')
        batch_op.drop_index(batch_op.f('ix_attendance_cooperative_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('agenda_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_change_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_agenda_change_cooperative_id'))

    op.drop_table('agenda_change')
    with op.batch_alter_table('general_meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_general_meeting_coop_starts')

    op.drop_table('general_meeting')
