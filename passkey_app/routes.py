"""Every route path, in one place, never changed at run time."""

HOME = "/"
LOGIN = "/login"
SIGNUP = "/signup"
ACCOUNT = "/account"

API_SESSION_ACTIVATE = "/api/session/activate"
API_SESSION_LOGOUT = "/api/session/logout"
