"""signup attempts: a sign-up's Cognito user is deleted later when its undo could not be

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signup_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("user_sub", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undo_owed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("signup_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signup_attempt_email"), ["email"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signup_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signup_attempt_email"))
    op.drop_table("signup_attempt")
