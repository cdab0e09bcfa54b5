"""hardening: provisional accounts, session revalidation, challenges per browser tab

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("browser_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revalidated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "notice",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
    with op.batch_alter_table("webauthn_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_unconfirmed_since", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_webauthn_user_email_unconfirmed_since"),
            ["email_unconfirmed_since"],
            unique=False,
        )
    with op.batch_alter_table("webauthn_challenge", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("client_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_webauthn_challenge_client_key"), ["client_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webauthn_challenge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webauthn_challenge_client_key"))
        batch_op.drop_column("client_key")
    with op.batch_alter_table("webauthn_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webauthn_user_email_unconfirmed_since"))
        batch_op.drop_column("email_unconfirmed_since")
    with op.batch_alter_table("browser_session", schema=None) as batch_op:
        batch_op.drop_column("notice")
        batch_op.drop_column("revalidated_at")
