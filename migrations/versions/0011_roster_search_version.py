"""roster search version

One row whose number every committed roster change replaces, so that each app process can tell whether its
in-memory search index (lms/roster/index.py) is still the database's.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 01:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('roster_search_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_roster_search_version_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_search_version'))
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade():
    op.drop_table('roster_search_version')
