"""registration kept open while the consultation is live; breakout groups' rooms

Revision ID: d5e3b9f2a4c6
Revises: c4d2a8e1f3b5
Create Date: 2026-12-05 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd5e3b9f2a4c6'
down_revision = 'c4d2a8e1f3b5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_open_while_live', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    with op.batch_alter_table('breakout_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('room', sa.String(length=120), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('breakout_groups', schema=None) as batch_op:
        batch_op.drop_column('room')
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('registration_open_while_live')
