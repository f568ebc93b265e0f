"""linked identities: accounts at organisations' OpenID Connect providers

Revision ID: f2b8d4a6c1e3
Revises: e6f1a7c3b9d2
Create Date: 2026-12-09 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2b8d4a6c1e3'
down_revision = 'e6f1a7c3b9d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('linked_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_linked_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_linked_identities')),
    sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_linked_identities_issuer_subject'))
    )
    with op.batch_alter_table('linked_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_linked_identities_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('linked_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_linked_identities_user_id'))

    op.drop_table('linked_identities')
