"""Every route path, in one place, never changed at run time."""

HOME = "/"
LOGIN = "/login"
SIGNUP = "/signup"
ACCOUNT = "/account"
ADMIN = "/admin"
ADMIN_ADOPTION = "/admin/adoption"
ADMIN_AUDIT = "/admin/audit"
ADMIN_USER = "/admin/user"

API_SESSION_ACTIVATE = "/api/session/activate"
API_SESSION_LOGOUT = "/api/session/logout"

MAGIC_LINK_SENT = "/login/link-sent"
MAGIC_LINK_LANDING = "/login/link"
OUTBOX = "/dev/outbox"
API_MAGIC_LINK_REQUEST = "/api/magic-link/request"
API_MAGIC_LINK_OPEN = "/api/magic-link/open"
