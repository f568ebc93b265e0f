"""small-group threshold of the Chatham House rule

Revision ID: a7c31d5e9b20
Revises: c185c484689c
Create Date: 2026-11-24 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7c31d5e9b20'
down_revision = 'c185c484689c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('small_group_threshold', sa.Integer(), server_default='3',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('small_group_threshold')
