"""Mail: the templates, the SES mailer and the local outbox of the embedded default."""
