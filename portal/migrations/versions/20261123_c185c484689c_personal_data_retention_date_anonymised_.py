"""personal data: retention date, anonymised registrations

Revision ID: c185c484689c
Revises: e320f0fa14e7
Create Date: 2026-11-23 15:12:06.346424

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c185c484689c'
down_revision = 'e320f0fa14e7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('amendment_supports', schema=None) as batch_op:
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=True)

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_data_kept_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('personal_data_anonymised_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=True)


def downgrade():
    # Anonymised registrations and supports have no account left to point to.
    op.execute("DELETE FROM registrations WHERE user_id IS NULL")
    op.execute("DELETE FROM amendment_supports WHERE user_id IS NULL")
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('anonymised_at')

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('personal_data_anonymised_at')
        batch_op.drop_column('personal_data_kept_until')

    with op.batch_alter_table('amendment_supports', schema=None) as batch_op:
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=False)
