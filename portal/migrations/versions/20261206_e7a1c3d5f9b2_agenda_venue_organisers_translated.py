"""the venue, the organisers and the agenda items in each working language

Revision ID: e7a1c3d5f9b2
Revises: d5e3b9f2a4c6
Create Date: 2026-12-06 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e7a1c3d5f9b2'
down_revision = 'd5e3b9f2a4c6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultation_translations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('venue', sa.String(length=300), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('organisers', sa.String(length=500), server_default='',
                                      nullable=False))

    op.create_table('agenda_item_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_agenda_item_translations_item_id_agenda_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_agenda_item_translations_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_item_translations')),
    sa.UniqueConstraint('item_id', 'locale', name=op.f('uq_agenda_item_translations_item_id_locale'))
    )
    with op.batch_alter_table('agenda_item_translations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_item_translations_item_id'), ['item_id'], unique=False)


def downgrade():
    with op.batch_alter_table('agenda_item_translations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_item_translations_item_id'))

    op.drop_table('agenda_item_translations')
    with op.batch_alter_table('consultation_translations', schema=None) as batch_op:
        batch_op.drop_column('organisers')
        batch_op.drop_column('venue')
