"""agenda, breakout groups, registration questions and invitations

Revision ID: 8ae513ced33b
Revises: 3637f3056c8c
Create Date: 2026-11-23 11:30:39.612754

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8ae513ced33b'
down_revision = '3637f3056c8c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('plenary', 'breakout_round', name='agenda_item_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('allow_choices', sa.Boolean(), nullable=False),
    sa.Column('assignment_published_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('ends_at >= starts_at', name=op.f('ck_agenda_items_ends_after_start')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_agenda_items_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_items'))
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_items_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('stakeholder_group', sa.Enum('member_state', 'un_agency', 'red_cross', 'civil_society', 'migrant_organisation', 'academia', 'private_sector', 'other', name='stakeholder_group', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('role', sa.Enum('facilitator', 'rapporteur', 'secretariat', 'participant', 'observer', name='registration_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_invitations_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('consultation_id', 'email', name=op.f('uq_invitations_consultation_id_email'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_email'), ['email'], unique=False)

    op.create_table('registration_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('prompt', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.Enum('short_text', 'long_text', 'single_choice', 'multiple_choice', name='question_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_registration_questions_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_questions'))
    )
    with op.batch_alter_table('registration_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_questions_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('breakout_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('theme', sa.String(length=300), nullable=False),
    sa.Column('guiding_questions', sa.JSON(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('facilitator_id', sa.Integer(), nullable=True),
    sa.Column('rapporteur_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['facilitator_id'], ['users.id'], name=op.f('fk_breakout_groups_facilitator_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rapporteur_id'], ['users.id'], name=op.f('fk_breakout_groups_rapporteur_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['agenda_items.id'], name=op.f('fk_breakout_groups_round_id_agenda_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_breakout_groups'))
    )
    with op.batch_alter_table('breakout_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_breakout_groups_round_id'), ['round_id'], unique=False)

    op.create_table('registration_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['registration_questions.id'], name=op.f('fk_registration_answers_question_id_registration_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_answers_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_answers')),
    sa.UniqueConstraint('registration_id', 'question_id', name=op.f('uq_registration_answers_registration_id_question_id'))
    )
    with op.batch_alter_table('registration_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_answers_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_answers_registration_id'), ['registration_id'], unique=False)

    op.create_table('breakout_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('fixed', sa.Boolean(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['breakout_groups.id'], name=op.f('fk_breakout_assignments_group_id_breakout_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_breakout_assignments_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['agenda_items.id'], name=op.f('fk_breakout_assignments_round_id_agenda_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_breakout_assignments')),
    sa.UniqueConstraint('round_id', 'registration_id', name=op.f('uq_breakout_assignments_round_id_registration_id'))
    )
    with op.batch_alter_table('breakout_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_breakout_assignments_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_breakout_assignments_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_breakout_assignments_round_id'), ['round_id'], unique=False)

    op.create_table('breakout_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('chosen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['breakout_groups.id'], name=op.f('fk_breakout_choices_group_id_breakout_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_breakout_choices_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['agenda_items.id'], name=op.f('fk_breakout_choices_round_id_agenda_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_breakout_choices')),
    sa.UniqueConstraint('round_id', 'registration_id', name=op.f('uq_breakout_choices_round_id_registration_id'))
    )
    with op.batch_alter_table('breakout_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_breakout_choices_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_breakout_choices_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('breakout_threads_open', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('waitlisted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_registrations_waitlisted_at'), ['waitlisted_at'], unique=False)



def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_waitlisted_at'))
        batch_op.drop_column('waitlisted_at')
        batch_op.drop_column('languages')

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('breakout_threads_open')
        batch_op.drop_column('consent_text')

    with op.batch_alter_table('breakout_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_breakout_choices_round_id'))
        batch_op.drop_index(batch_op.f('ix_breakout_choices_registration_id'))

    op.drop_table('breakout_choices')
    with op.batch_alter_table('breakout_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_breakout_assignments_round_id'))
        batch_op.drop_index(batch_op.f('ix_breakout_assignments_registration_id'))
        batch_op.drop_index(batch_op.f('ix_breakout_assignments_group_id'))

    op.drop_table('breakout_assignments')
    with op.batch_alter_table('registration_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_answers_registration_id'))
        batch_op.drop_index(batch_op.f('ix_registration_answers_question_id'))

    op.drop_table('registration_answers')
    with op.batch_alter_table('breakout_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_breakout_groups_round_id'))

    op.drop_table('breakout_groups')
    with op.batch_alter_table('registration_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_questions_consultation_id'))

    op.drop_table('registration_questions')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_email'))
        batch_op.drop_index(batch_op.f('ix_invitations_consultation_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_items_consultation_id'))

    op.drop_table('agenda_items')
