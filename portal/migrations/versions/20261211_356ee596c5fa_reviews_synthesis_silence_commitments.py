"""reviews, their synthesis, silence procedures and commitments

Revision ID: 356ee596c5fa
Revises: f2b8d4a6c1e9
Create Date: 2026-12-11 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '356ee596c5fa'
down_revision = 'f2b8d4a6c1e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('region', sa.Enum('africa', 'arab_states', 'asia_pacific', 'europe_north_america', 'latin_america_caribbean', 'global', name='region', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('progress_reports_due_on', sa.Date(), nullable=True),
    sa.Column('progress_reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_reviews_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('slug', name=op.f('uq_reviews_slug'))
    )
    op.create_table('review_consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('attached_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attached_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['attached_by_id'], ['users.id'], name=op.f('fk_review_consultations_attached_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_review_consultations_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_consultations_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_consultations')),
    sa.UniqueConstraint('review_id', 'consultation_id', name=op.f('uq_review_consultations_review_id_consultation_id'))
    )
    with op.batch_alter_table('review_consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_consultations_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_consultations_review_id'), ['review_id'], unique=False)

    op.create_table('review_objectives',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('objective', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_objectives_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('review_id', 'objective', name=op.f('pk_review_objectives'))
    )
    op.create_table('review_secretariat_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_secretariat_members_review_id_reviews'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_secretariat_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_secretariat_members')),
    sa.UniqueConstraint('review_id', 'user_id', name=op.f('uq_review_secretariat_members_review_id_user_id'))
    )
    with op.batch_alter_table('review_secretariat_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_secretariat_members_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_secretariat_members_user_id'), ['user_id'], unique=False)

    op.create_table('synthesis_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_synthesis_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_synthesis_versions_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synthesis_versions')),
    sa.UniqueConstraint('review_id', 'number', name=op.f('uq_synthesis_versions_review_id_number'))
    )
    with op.batch_alter_table('synthesis_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_synthesis_versions_review_id'), ['review_id'], unique=False)

    op.create_table('synthesised_recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('gcm_objectives', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_synthesised_recommendations_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synthesised_recommendations')),
    sa.UniqueConstraint('review_id', 'number', name=op.f('uq_synthesised_recommendations_review_id_number'))
    )
    with op.batch_alter_table('synthesised_recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_synthesised_recommendations_review_id'), ['review_id'], unique=False)

    op.create_table('silence_procedures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('amendments_allowed', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('open', 'adopted', 'silence_broken', name='silence_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminders_sent', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_silence_procedures_opened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_silence_procedures_review_id_reviews'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['synthesis_versions.id'], name=op.f('fk_silence_procedures_version_id_synthesis_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_silence_procedures'))
    )
    with op.batch_alter_table('silence_procedures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_silence_procedures_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_silence_procedures_version_id'), ['version_id'], unique=False)

    op.create_table('synthesised_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('synthesised_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['synthesised_id'], ['synthesised_recommendations.id'], name=op.f('fk_synthesised_texts_synthesised_id_synthesised_recommendations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_synthesised_texts_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synthesised_texts')),
    sa.UniqueConstraint('synthesised_id', 'locale', name=op.f('uq_synthesised_texts_synthesised_id_locale'))
    )
    with op.batch_alter_table('synthesised_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_synthesised_texts_synthesised_id'), ['synthesised_id'], unique=False)

    op.create_table('silence_validators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('broke_silence_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('broken_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposed_amendment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['broken_by_id'], ['users.id'], name=op.f('fk_silence_validators_broken_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['procedure_id'], ['silence_procedures.id'], name=op.f('fk_silence_validators_procedure_id_silence_procedures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_silence_validators')),
    sa.UniqueConstraint('procedure_id', 'organisation', name=op.f('uq_silence_validators_procedure_id_organisation'))
    )
    with op.batch_alter_table('silence_validators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_silence_validators_procedure_id'), ['procedure_id'], unique=False)

    op.create_table('commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('synthesised_id', sa.Integer(), nullable=True),
    sa.Column('recommendation_id', sa.Integer(), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('stakeholder_group', sa.Enum('member_state', 'un_agency', 'red_cross', 'civil_society', 'migrant_organisation', 'academia', 'private_sector', 'other', name='stakeholder_group', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_commitments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_commitments_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_commitments_review_id_reviews'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['synthesised_id'], ['synthesised_recommendations.id'], name=op.f('fk_commitments_synthesised_id_synthesised_recommendations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitments'))
    )
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitments_recommendation_id'), ['recommendation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitments_synthesised_id'), ['synthesised_id'], unique=False)

    op.create_table('synthesis_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('synthesised_id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_synthesis_sources_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_synthesis_sources_review_id_reviews'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['synthesised_id'], ['synthesised_recommendations.id'], name=op.f('fk_synthesis_sources_synthesised_id_synthesised_recommendations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synthesis_sources')),
    sa.UniqueConstraint('review_id', 'recommendation_id', name=op.f('uq_synthesis_sources_review_id_recommendation_id'))
    )
    with op.batch_alter_table('synthesis_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_synthesis_sources_recommendation_id'), ['recommendation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_synthesis_sources_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_synthesis_sources_synthesised_id'), ['synthesised_id'], unique=False)

    op.create_table('progress_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('progress', sa.Enum('not_started', 'under_way', 'done', 'dropped', name='commitment_progress', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('text', sa.String(length=1000), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_progress_reports_commitment_id_commitments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_progress_reports_reported_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_reports'))
    )
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_reports_commitment_id'), ['commitment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_reports_commitment_id'))

    op.drop_table('progress_reports')
    with op.batch_alter_table('synthesis_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_synthesis_sources_synthesised_id'))
        batch_op.drop_index(batch_op.f('ix_synthesis_sources_review_id'))
        batch_op.drop_index(batch_op.f('ix_synthesis_sources_recommendation_id'))

    op.drop_table('synthesis_sources')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitments_synthesised_id'))
        batch_op.drop_index(batch_op.f('ix_commitments_review_id'))
        batch_op.drop_index(batch_op.f('ix_commitments_recommendation_id'))

    op.drop_table('commitments')
    with op.batch_alter_table('silence_validators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_silence_validators_procedure_id'))

    op.drop_table('silence_validators')
    with op.batch_alter_table('synthesised_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_synthesised_texts_synthesised_id'))

    op.drop_table('synthesised_texts')
    with op.batch_alter_table('silence_procedures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_silence_procedures_version_id'))
        batch_op.drop_index(batch_op.f('ix_silence_procedures_review_id'))

    op.drop_table('silence_procedures')
    with op.batch_alter_table('synthesised_recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_synthesised_recommendations_review_id'))

    op.drop_table('synthesised_recommendations')
    with op.batch_alter_table('synthesis_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_synthesis_versions_review_id'))

    op.drop_table('synthesis_versions')
    with op.batch_alter_table('review_secretariat_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_secretariat_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_review_secretariat_members_review_id'))

    op.drop_table('review_secretariat_members')
    op.drop_table('review_objectives')
    with op.batch_alter_table('review_consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_consultations_review_id'))
        batch_op.drop_index(batch_op.f('ix_review_consultations_consultation_id'))

    op.drop_table('review_consultations')
    op.drop_table('reviews')
