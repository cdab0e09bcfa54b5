"""sign-in codes: the code of each link request, bound to the browser that asked

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("binding_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("email_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_sub", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("email_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_email_code_binding_hash"), ["binding_hash"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_email_code_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("email_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_code_expires_at"))
        batch_op.drop_index(batch_op.f("ix_email_code_binding_hash"))

    op.drop_table("email_code")
