"""translators, translations of amendments and of the consultation's texts

Revision ID: e320f0fa14e7
Revises: e43381818bd3
Create Date: 2026-11-23 15:11:24.321926

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e320f0fa14e7'
down_revision = 'e43381818bd3'
branch_labels = None
depends_on = None

ROLES = ('facilitator', 'rapporteur', 'secretariat', 'participant', 'observer')


def _allow_roles(roles):
    # The role columns are checked by a named CHECK constraint: replace it with one that
    # knows the roles given.
    allowed = ", ".join(f"'{role}'" for role in roles)
    for table in ('registrations', 'invitations'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_registration_role'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_registration_role'),
                                             f"role IN ({allowed})")


def upgrade():
    _allow_roles(ROLES + ('translator',))
    op.create_table('consultation_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_translations_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_consultation_translations_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_translations')),
    sa.UniqueConstraint('consultation_id', 'locale', name=op.f('uq_consultation_translations_consultation_id_locale'))
    )
    with op.batch_alter_table('consultation_translations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_translations_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('breakout_group_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('theme', sa.String(length=300), nullable=False),
    sa.Column('guiding_questions', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['breakout_groups.id'], name=op.f('fk_breakout_group_translations_group_id_breakout_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_breakout_group_translations_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_breakout_group_translations')),
    sa.UniqueConstraint('group_id', 'locale', name=op.f('uq_breakout_group_translations_group_id_locale'))
    )
    with op.batch_alter_table('breakout_group_translations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_breakout_group_translations_group_id'), ['group_id'], unique=False)

    op.create_table('amendment_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'reviewed', name='translation_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('translated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_amendment_translations_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_amendment_translations_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['translated_by_id'], ['users.id'], name=op.f('fk_amendment_translations_translated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment_translations')),
    sa.UniqueConstraint('amendment_id', 'locale', name=op.f('uq_amendment_translations_amendment_id_locale'))
    )
    with op.batch_alter_table('amendment_translations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amendment_translations_amendment_id'), ['amendment_id'], unique=False)

    with op.batch_alter_table('version_translations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_version_translations_reviewed_by_id_users'), 'users', ['reviewed_by_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('version_translations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_version_translations_reviewed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by_id')

    with op.batch_alter_table('amendment_translations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendment_translations_amendment_id'))

    op.drop_table('amendment_translations')
    with op.batch_alter_table('breakout_group_translations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_breakout_group_translations_group_id'))

    op.drop_table('breakout_group_translations')
    with op.batch_alter_table('consultation_translations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_translations_consultation_id'))

    op.drop_table('consultation_translations')
    op.execute("DELETE FROM invitations WHERE role = 'translator'")
    op.execute("UPDATE registrations SET role = 'observer' WHERE role = 'translator'")
    _allow_roles(ROLES)
