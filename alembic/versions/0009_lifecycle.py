"""lifecycle: an account can go passwordless (its Cognito password a random one nobody knows)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webauthn_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("passwordless_since", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("webauthn_user", schema=None) as batch_op:
        batch_op.drop_column("passwordless_since")
