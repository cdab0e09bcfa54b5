"""The Lambda deployment package: ``lambdas/*.py`` at the zip's root, byte-for-byte stable.

The triggers use the standard library only, so the zip holds a few kilobytes of our own
source. Fixed timestamps and permissions make the same source give the same bytes, so
its SHA-256 equals Lambda's ``CodeSha256`` exactly when nothing changed.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

LAMBDAS_DIR = Path(__file__).resolve().parents[2] / "lambdas"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class LambdaPackage:
    """The zip bytes and the hash Lambda reports for them."""

    data: bytes
    files: tuple[str, ...]

    @property
    def code_sha256(self) -> str:
        """Base64 of the SHA-256, Lambda's ``CodeSha256`` spelling."""
        return base64.b64encode(hashlib.sha256(self.data).digest()).decode()


def build_package(source: Path = LAMBDAS_DIR) -> LambdaPackage:
    """Zip the ``lambdas`` package (``.py`` files only, sorted, fixed metadata)."""
    files = sorted(path for path in source.glob("*.py") if path.is_file())
    if not any(path.name == "__init__.py" for path in files):
        raise FileNotFoundError(f"{source} is not a package (no __init__.py)")
    buffer = io.BytesIO()
    names = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            name = f"{source.name}/{path.name}"
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
            names.append(name)
    return LambdaPackage(data=buffer.getvalue(), files=tuple(names))
