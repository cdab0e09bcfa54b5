"""audit log: the email column indexed, for the admin's filter by user

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_audit_event_email"), "audit_event", ["email"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_event_email"), table_name="audit_event")
