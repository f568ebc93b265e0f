"""meeting links of consultations and breakout groups; calendar feeds; attachments of
the outbox's e-mails

Revision ID: f2b8d4a6c1e9
Revises: f2b8d4a6c1e3
Create Date: 2026-12-09 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2b8d4a6c1e9'
down_revision = 'f2b8d4a6c1e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_calendar_feeds_user_id'))
    )
    op.create_table('outgoing_mail_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mail_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['mail_id'], ['outgoing_mails.id'], name=op.f('fk_outgoing_mail_attachments_mail_id_outgoing_mails'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail_attachments'))
    )
    with op.batch_alter_table('outgoing_mail_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_mail_attachments_mail_id'), ['mail_id'], unique=False)

    with op.batch_alter_table('breakout_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_link', sa.String(length=500), server_default='', nullable=False))

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_link', sa.String(length=500), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('meeting_link')

    with op.batch_alter_table('breakout_groups', schema=None) as batch_op:
        batch_op.drop_column('meeting_link')

    with op.batch_alter_table('outgoing_mail_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_attachments_mail_id'))

    op.drop_table('outgoing_mail_attachments')
    op.drop_table('calendar_feeds')
