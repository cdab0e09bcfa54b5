"""The backend's HTTP routes and ASGI guards: the session cookie routes, the email-link
routes, the Origin guard, the event-socket guard, log redaction and the worker header."""
