"""outcome documents, translations of versions, listing in the outcome

Revision ID: e43381818bd3
Revises: cdc79775f6cb
Create Date: 2026-11-23 13:31:29.849959

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e43381818bd3'
down_revision = 'cdc79775f6cb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outcome_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('generated_by_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('missing_count', sa.Integer(), nullable=False),
    sa.Column('final', sa.Boolean(), nullable=False),
    sa.Column('finalised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finalised_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_outcome_documents_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['finalised_by_id'], ['users.id'], name=op.f('fk_outcome_documents_finalised_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['generated_by_id'], ['users.id'], name=op.f('fk_outcome_documents_generated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_documents')),
    sa.UniqueConstraint('consultation_id', 'locale', 'number', name=op.f('uq_outcome_documents_consultation_id_locale_number'))
    )
    with op.batch_alter_table('outcome_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_documents_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('outcome_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('executive_summary', sa.Text(), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_outcome_texts_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_outcome_texts_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_texts')),
    sa.UniqueConstraint('consultation_id', 'locale', name=op.f('uq_outcome_texts_consultation_id_locale'))
    )
    with op.batch_alter_table('outcome_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_texts_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('breakout_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('breakout_group_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['breakout_group_id'], ['breakout_groups.id'], name=op.f('fk_breakout_summaries_breakout_group_id_breakout_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_breakout_summaries_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_breakout_summaries')),
    sa.UniqueConstraint('breakout_group_id', 'locale', name=op.f('uq_breakout_summaries_breakout_group_id_locale'))
    )
    with op.batch_alter_table('breakout_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_breakout_summaries_breakout_group_id'), ['breakout_group_id'], unique=False)

    op.create_table('version_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'reviewed', name='translation_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('translated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['translated_by_id'], ['users.id'], name=op.f('fk_version_translations_translated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['recommendation_versions.id'], name=op.f('fk_version_translations_version_id_recommendation_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_version_translations')),
    sa.UniqueConstraint('version_id', 'locale', name=op.f('uq_version_translations_version_id_locale'))
    )
    with op.batch_alter_table('version_translations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_version_translations_version_id'), ['version_id'], unique=False)

    # Versions written so far are in their consultation's main (first working) language.
    with op.batch_alter_table('recommendation_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=True))
    _set_version_locales()
    with op.batch_alter_table('recommendation_versions', schema=None) as batch_op:
        batch_op.alter_column('locale', existing_type=sa.String(length=5), nullable=False)

    # Nobody has agreed to be listed yet.
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed_in_outcome', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.alter_column('listed_in_outcome', existing_type=sa.Boolean(),
                              server_default=None)


def _set_version_locales():
    consultations = sa.table('consultations', sa.column('id', sa.Integer()),
                             sa.column('working_languages', sa.JSON()))
    recommendations = sa.table('recommendations', sa.column('id', sa.Integer()),
                               sa.column('consultation_id', sa.Integer()))
    versions = sa.table('recommendation_versions', sa.column('recommendation_id', sa.Integer()),
                        sa.column('locale', sa.String(5)))
    bind = op.get_bind()
    for consultation_id, languages in bind.execute(
            sa.select(consultations.c.id, consultations.c.working_languages)).all():
        bind.execute(
            versions.update()
            .where(versions.c.recommendation_id.in_(
                sa.select(recommendations.c.id)
                .where(recommendations.c.consultation_id == consultation_id)))
            .values(locale=(languages or ['en'])[0]))


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('listed_in_outcome')

    with op.batch_alter_table('recommendation_versions', schema=None) as batch_op:
        batch_op.drop_column('locale')

    with op.batch_alter_table('version_translations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_version_translations_version_id'))

    op.drop_table('version_translations')
    with op.batch_alter_table('breakout_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_breakout_summaries_breakout_group_id'))

    op.drop_table('breakout_summaries')
    with op.batch_alter_table('outcome_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_texts_consultation_id'))

    op.drop_table('outcome_texts')
    with op.batch_alter_table('outcome_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_documents_consultation_id'))

    op.drop_table('outcome_documents')
