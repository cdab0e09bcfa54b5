"""passkeys: webauthn users, passkey credentials and single-use challenges

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webauthn_user",
        sa.Column("user_sub", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("user_handle", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by_passkey", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("passkey_prompt_snoozed_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("user_sub"),
    )
    with op.batch_alter_table("webauthn_user", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webauthn_user_user_handle"), ["user_handle"], unique=True
        )

    op.create_table(
        "passkey_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sqlmodel.sql.sqltypes.AutoString(length=1366), nullable=False),
        sa.Column("user_sub", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("algorithm", sa.Integer(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("aaguid", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("backup_eligible", sa.Boolean(), nullable=False),
        sa.Column("backup_state", sa.Boolean(), nullable=False),
        sa.Column("transports", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_sub"], ["webauthn_user.user_sub"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("passkey_credential", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_passkey_credential_credential_id"), ["credential_id"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_passkey_credential_user_sub"), ["user_sub"], unique=False
        )

    op.create_table(
        "webauthn_challenge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handle_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("challenge", sa.LargeBinary(), nullable=False),
        sa.Column("user_sub", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("user_handle", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("webauthn_challenge", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webauthn_challenge_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webauthn_challenge_handle_hash"), ["handle_hash"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("webauthn_challenge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webauthn_challenge_handle_hash"))
        batch_op.drop_index(batch_op.f("ix_webauthn_challenge_expires_at"))

    op.drop_table("webauthn_challenge")
    with op.batch_alter_table("passkey_credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passkey_credential_user_sub"))
        batch_op.drop_index(batch_op.f("ix_passkey_credential_credential_id"))

    op.drop_table("passkey_credential")
    with op.batch_alter_table("webauthn_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webauthn_user_user_handle"))

    op.drop_table("webauthn_user")
