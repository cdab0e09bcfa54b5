"""tab binding: a second, server-only key to a session for the tab that signed in

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 12:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("browser_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("binding_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_browser_session_binding_hash"), ["binding_hash"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("browser_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_browser_session_binding_hash"))
        batch_op.drop_column("binding_hash")
