"""Role assignments indexed by (cooperative, role): a cooperative's board without reading the
assignments of all its members (the cooperative's home page)

Revision ID: 0017
Revises: 0015
Create Date: 2026-11-24 01:40:00

"""
from alembic import op

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.create_index("ix_role_assignment_cooperative_role", ["cooperative_id", "role"], unique=False)
        batch_op.drop_index("ix_role_assignment_cooperative_id")


def downgrade():
    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.create_index("ix_role_assignment_cooperative_id", ["cooperative_id"], unique=False)
        batch_op.drop_index("ix_role_assignment_cooperative_role")
