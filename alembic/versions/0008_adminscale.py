"""admin at scale: sign-in counts kept as they happen, indexes for the audit log

``login_day`` and ``user_last_login`` are filled from the audit log once here; from
then on services/login_stats.py keeps them as sign-ins are audited.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The sign-in events and their methods, as services/audit.py has them today.
_METHOD = (
    "CASE event_type WHEN 'login.passkey' THEN 'passkey' "
    "WHEN 'login.password' THEN 'password' ELSE 'magic_link' END"
)
_SIGN_INS = (
    "event_type IN ('login.passkey', 'login.password', 'magic_link.redeem') "
    "AND outcome = 'success' AND user_sub IS NOT NULL"
)


def _backfill() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    day = "(occurred_at AT TIME ZONE 'UTC')::date" if postgres else "date(occurred_at)"
    op.execute(
        f"INSERT INTO login_day (day, method, count) "  # noqa: S608 (constants only)
        f"SELECT {day}, {_METHOD}, count(*) FROM audit_event WHERE {_SIGN_INS} "
        f"GROUP BY {day}, {_METHOD}"
    )
    op.execute(
        "INSERT INTO user_last_login (user_sub, at, method) "  # noqa: S608 (constants only)
        "SELECT user_sub, occurred_at, method FROM ("
        f"SELECT user_sub, occurred_at, {_METHOD} AS method, row_number() OVER ("
        "PARTITION BY user_sub ORDER BY occurred_at DESC, id DESC) AS newest "
        f"FROM audit_event WHERE {_SIGN_INS}) AS ranked WHERE newest = 1"
    )


def upgrade() -> None:
    op.create_table(
        "login_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "method"),
    )
    op.create_table(
        "user_last_login",
        sa.Column("user_sub", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("user_sub"),
    )
    with op.batch_alter_table("user_last_login", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_last_login_at"), ["at"], unique=False)
    _backfill()


def downgrade() -> None:
    with op.batch_alter_table("user_last_login", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_last_login_at"))
    op.drop_table("user_last_login")
    op.drop_table("login_day")
