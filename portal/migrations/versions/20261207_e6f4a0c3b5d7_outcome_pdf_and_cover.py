"""outcome documents: their PDF, kept with its SHA-256; the cover's document symbol and
distribution line

Revision ID: e6f4a0c3b5d7
Revises: e7a1c3d5f9b2
Create Date: 2026-12-06 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e6f4a0c3b5d7'
down_revision = 'e7a1c3d5f9b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outcome_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('pdf_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('pdf_size', sa.Integer(), nullable=True))
    op.create_table('outcome_covers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('symbol', sa.String(length=80), nullable=False),
    sa.Column('distribution', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_outcome_covers_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_outcome_covers_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_covers')),
    sa.UniqueConstraint('consultation_id', name=op.f('uq_outcome_covers_consultation_id'))
    )


def downgrade():
    op.drop_table('outcome_covers')
    with op.batch_alter_table('outcome_documents', schema=None) as batch_op:
        batch_op.drop_column('pdf_size')
        batch_op.drop_column('pdf_sha256')
        batch_op.drop_column('pdf')
