"""Email links: the request, the single-use store, redeeming (sign-in, sign-up,
confirmation) and the accounts a link signs in or creates."""
