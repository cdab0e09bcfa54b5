"""Pages: small named functions returning rx.Component."""
