"""sessions and devices: the passkey that opened a session, the browsers a person used

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("browser_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("passkey_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_browser_session_passkey_id"), ["passkey_id"], unique=False
        )
    op.create_table(
        "known_browser",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_sub", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("browser_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_sub", "browser_hash"),
    )
    with op.batch_alter_table("known_browser", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_known_browser_user_sub"), ["user_sub"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("known_browser", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_known_browser_user_sub"))
    op.drop_table("known_browser")
    with op.batch_alter_table("browser_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_browser_session_passkey_id"))
        batch_op.drop_column("passkey_id")
