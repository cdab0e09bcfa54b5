"""``python -m passkey_app.local_cognito``: the local AWS server for development."""

from __future__ import annotations

import argparse
from pathlib import Path

from passkey_app.local_cognito.server import DEFAULT_HOST, DEFAULT_PORT, serve


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run the server until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m passkey_app.local_cognito",
        description="Local Cognito (moto + CUSTOM_AUTH triggers) and SES for development.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="loopback address to bind")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--data-dir", type=Path, default=Path(".local"), help="state folder")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    try:
        serve(host=args.host, port=args.port, data_dir=args.data_dir, verbose=args.verbose)
    except ValueError as exc:
        parser.error(str(exc))
    except OSError as exc:
        parser.exit(1, f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}\n")


if __name__ == "__main__":
    main()
