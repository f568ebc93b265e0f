"""recommendations, versions, amendments, vote rounds and votes

Revision ID: cdc79775f6cb
Revises: 0374a38bbf0e
Create Date: 2026-11-23 12:10:48.548644

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'cdc79775f6cb'
down_revision = '0374a38bbf0e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('theme', sa.String(length=300), nullable=False),
    sa.Column('breakout_group_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'adopted', 'not_adopted', 'merged', name='recommendation_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['breakout_group_id'], ['breakout_groups.id'], name=op.f('fk_recommendations_breakout_group_id_breakout_groups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_recommendations_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_recommendations_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['recommendations.id'], name=op.f('fk_recommendations_merged_into_id_recommendations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendations')),
    sa.UniqueConstraint('consultation_id', 'number', name=op.f('uq_recommendations_consultation_id_number'))
    )
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendations_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('recommendation_objectives',
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('objective', sa.Integer(), nullable=False),
    sa.CheckConstraint('objective BETWEEN 1 AND 23', name=op.f('ck_recommendation_objectives_gcm_objective_range')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_recommendation_objectives_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('recommendation_id', 'objective', name=op.f('pk_recommendation_objectives'))
    )
    op.create_table('recommendation_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('source', sa.Enum('drafted', 'edited', 'amendment', 'merge', name='version_source', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_recommendation_versions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_recommendation_versions_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_versions')),
    sa.UniqueConstraint('recommendation_id', 'number', name=op.f('uq_recommendation_versions_recommendation_id_number'))
    )
    with op.batch_alter_table('recommendation_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_versions_recommendation_id'), ['recommendation_id'], unique=False)

    op.create_table('amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('proposed_text', sa.Text(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_registration_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('proposed', 'accepted', 'rejected', 'withdrawn', name='amendment_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('resulting_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_amendments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_registration_id'], ['registrations.id'], name=op.f('fk_amendments_author_registration_id_registrations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_amendments_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_amendments_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resulting_version_id'], ['recommendation_versions.id'], name=op.f('fk_amendments_resulting_version_id_recommendation_versions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['recommendation_versions.id'], name=op.f('fk_amendments_version_id_recommendation_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendments'))
    )
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amendments_recommendation_id'), ['recommendation_id'], unique=False)

    op.create_table('version_merge_sources',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('source_version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['source_version_id'], ['recommendation_versions.id'], name=op.f('fk_version_merge_sources_source_version_id_recommendation_versions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['recommendation_versions.id'], name=op.f('fk_version_merge_sources_version_id_recommendation_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'source_version_id', name=op.f('pk_version_merge_sources'))
    )
    op.create_table('amendment_supports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_amendment_supports_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_amendment_supports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment_supports')),
    sa.UniqueConstraint('amendment_id', 'user_id', name=op.f('uq_amendment_supports_amendment_id_user_id'))
    )
    with op.batch_alter_table('amendment_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amendment_supports_amendment_id'), ['amendment_id'], unique=False)

    op.create_table('vote_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.Enum('consensus', 'two_thirds', 'simple_majority', name='adoption_rule', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('quorum', sa.Integer(), nullable=True),
    sa.Column('stakeholder_rule', sa.Boolean(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('in_room_support', sa.Integer(), nullable=False),
    sa.Column('in_room_support_with_reservations', sa.Integer(), nullable=False),
    sa.Column('in_room_oppose', sa.Integer(), nullable=False),
    sa.Column('in_room_abstain', sa.Integer(), nullable=False),
    sa.Column('adopted', sa.Boolean(), nullable=True),
    sa.Column('result_reason', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_vote_rounds_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_vote_rounds_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_vote_rounds_opened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_vote_rounds_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['recommendation_versions.id'], name=op.f('fk_vote_rounds_version_id_recommendation_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_rounds')),
    sa.UniqueConstraint('recommendation_id', 'number', name=op.f('uq_vote_rounds_recommendation_id_number'))
    )
    with op.batch_alter_table('vote_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_rounds_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vote_rounds_recommendation_id'), ['recommendation_id'], unique=False)

    op.create_table('votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('choice', sa.Enum('support', 'support_with_reservations', 'oppose', 'abstain', name='vote_choice', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('reservation', sa.Text(), nullable=True),
    sa.Column('stakeholder_group', sa.Enum('member_state', 'un_agency', 'red_cross', 'civil_society', 'migrant_organisation', 'academia', 'private_sector', 'other', name='stakeholder_group', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('cast_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.CheckConstraint("choice != 'support_with_reservations' OR reservation IS NOT NULL", name=op.f('ck_votes_reservation_given')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_votes_registration_id_registrations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['vote_rounds.id'], name=op.f('fk_votes_round_id_vote_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_votes')),
    sa.UniqueConstraint('round_id', 'registration_id', name=op.f('uq_votes_round_id_registration_id'))
    )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_votes_round_id'), ['round_id'], unique=False)



def downgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_votes_round_id'))

    op.drop_table('votes')
    with op.batch_alter_table('vote_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_rounds_recommendation_id'))
        batch_op.drop_index(batch_op.f('ix_vote_rounds_consultation_id'))

    op.drop_table('vote_rounds')
    with op.batch_alter_table('amendment_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendment_supports_amendment_id'))

    op.drop_table('amendment_supports')
    op.drop_table('version_merge_sources')
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendments_recommendation_id'))

    op.drop_table('amendments')
    with op.batch_alter_table('recommendation_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_versions_recommendation_id'))

    op.drop_table('recommendation_versions')
    op.drop_table('recommendation_objectives')
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendations_consultation_id'))

    op.drop_table('recommendations')
