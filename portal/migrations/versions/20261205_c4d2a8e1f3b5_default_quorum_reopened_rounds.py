"""default quorum, turnout kept when a round closes, reopened rounds

Revision ID: c4d2a8e1f3b5
Revises: b91e4f2c6d08
Create Date: 2026-12-05 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4d2a8e1f3b5'
down_revision = 'b91e4f2c6d08'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quorum', sa.Integer(), nullable=True))
    with op.batch_alter_table('vote_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('present', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quorum_applied', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reopened_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reopen_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_vote_rounds_reopened_by_id_users'), 'users',
                                    ['reopened_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('vote_rounds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_vote_rounds_reopened_by_id_users'), type_='foreignkey')
        batch_op.drop_column('reopen_reason')
        batch_op.drop_column('reopened_by_id')
        batch_op.drop_column('reopened_at')
        batch_op.drop_column('quorum_applied')
        batch_op.drop_column('present')
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('quorum')
