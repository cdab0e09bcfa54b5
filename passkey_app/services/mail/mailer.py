"""Outgoing mail through Amazon SES v2 (SendEmail), from one configured sender.

In the embedded default the same call goes to the local AWS stand-in, which keeps
the message for the local outbox page; nothing here knows the difference.
"""

from __future__ import annotations

import logging
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from passkey_app.services.mail.templates import Mail

log = logging.getLogger(__name__)

CHARSET = "UTF-8"


class MailNotSentError(Exception):
    """SES refused or could not be reached; the message names the SES error code only."""


class SesMailer:
    """Sends :class:`Mail` with SESv2 SendEmail (simple content: text and HTML)."""

    def __init__(self, *, client: Any, sender: str) -> None:
        self._client = client
        self._sender = sender

    @classmethod
    def connect(cls, *, region: str, endpoint_url: str | None, sender: str) -> SesMailer:
        """A mailer with short timeouts, so a slow SES never holds a worker for long."""
        client = boto3.client(
            "sesv2",
            region_name=region,
            endpoint_url=endpoint_url,
            config=Config(
                connect_timeout=3,
                read_timeout=10,
                retries={"mode": "standard", "max_attempts": 2},
            ),
        )
        return cls(client=client, sender=sender)

    @property
    def sender(self) -> str:
        """The From address every message carries."""
        return self._sender

    def send(self, mail: Mail) -> str:
        """Send one message; return SES's message id."""
        try:
            response = self._client.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [mail.to]},
                Content={
                    "Simple": {
                        "Subject": {"Data": mail.subject, "Charset": CHARSET},
                        "Body": {
                            "Text": {"Data": mail.text, "Charset": CHARSET},
                            "Html": {"Data": mail.html, "Charset": CHARSET},
                        },
                    }
                },
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "ClientError")
            raise MailNotSentError(code) from error
        except BotoCoreError as error:
            raise MailNotSentError(type(error).__name__) from error
        return str(response.get("MessageId", ""))
