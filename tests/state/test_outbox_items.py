"""How the local outbox words a mail's time and its link's state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from passkey_app.services.mail.outbox import LinkState, LinkStatus, OutboxMessage
from passkey_app.state.outbox import ago, to_item

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MAIL = OutboxMessage(id="m", sender="s@x", to="a@x", subject="Your sign-in link", html="<p/>")


def test_times_read_as_people_say_them() -> None:
    assert [ago(NOW - timedelta(seconds=s), NOW) for s in (5, 60, 150, 3600, 7200, 90000)] == [
        "just now",
        "1 minute ago",
        "2 minutes ago",
        "1 hour ago",
        "2 hours ago",
        "1 day ago",
    ]


def test_a_used_link_is_badged_and_says_when() -> None:
    sent = NOW - timedelta(minutes=3)
    item = to_item(MAIL, LinkStatus(LinkState.USED, sent, NOW - timedelta(minutes=1)), NOW)
    assert (item.sent, item.sent_exact, item.badge, item.state) == (
        "3 minutes ago",
        "20 Nov 2026, 11:57:00 UTC",
        "Used",
        "used",
    )
    assert item.note == "Used 1 minute ago (20 Nov 2026, 11:59:00 UTC). This link no longer works."


def test_a_live_link_has_no_badge_and_an_unknown_one_no_time() -> None:
    live = to_item(MAIL, LinkStatus(LinkState.LIVE, NOW), NOW)
    assert (live.sent, live.badge, live.note) == ("just now", "", "")
    gone = to_item(MAIL, LinkStatus(LinkState.GONE), NOW)
    assert (gone.sent, gone.badge) == ("", "Link gone")
    notice = to_item(MAIL, LinkStatus(LinkState.NONE), NOW)
    assert (notice.badge, notice.note) == ("", "")  # a mail without a link is not "gone"
