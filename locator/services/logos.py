"""Supplier logos: an uploaded file is decoded with Pillow and written again as a new image, so
only pixels reach the site (no metadata, no script in an SVG, no polyglot file), under a random
name in the logo directory (`LOGO_DIR`; shared storage when several nodes serve the site).

Limits are checked before the pixels are decoded: the file's size, its format, and the width and
height its header declares, so a small file that would unpack to gigabytes is refused unread.
"""

from __future__ import annotations

import os
import secrets
import warnings
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import Session

from ..models import Supplier
from .suppliers import record_change

MAX_BYTES = 1024 * 1024
MAX_SIDE = 4000  # pixels, either way, as uploaded
STORED_SIDE = 800  # pixels: larger logos are scaled down to this, as pages show them small
# Pillow format → (file extension, content type).
FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
CONTENT_TYPES = dict(FORMATS.values())
NAME_PATTERN = r"[0-9a-f]{32}\.(?:png|jpg|webp)"


class BadLogo(ValueError):
    """Why a file cannot be a logo, in words for the person who chose it."""


def _decoded(data: bytes) -> tuple[Image.Image, str]:
    if len(data) > MAX_BYTES:
        raise BadLogo("The logo must be smaller than 1 MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=list(FORMATS))
            if image.width > MAX_SIDE or image.height > MAX_SIDE:
                raise BadLogo(f"The logo must be at most {MAX_SIDE:,} × {MAX_SIDE:,} pixels")
            image.load()
    except BadLogo:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadLogo(f"The logo must be at most {MAX_SIDE:,} × {MAX_SIDE:,} pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise BadLogo("The logo must be a PNG, JPEG or WebP image") from None
    return image, image.format


def _reencoded(image: Image.Image, format_: str) -> bytes:
    image = ImageOps.exif_transpose(image)  # a photo's rotation, before the EXIF goes
    if format_ == "JPEG":
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    image.thumbnail((STORED_SIDE, STORED_SIDE))
    out = BytesIO()
    options = {"quality": 88} if format_ in ("JPEG", "WEBP") else {"optimize": True}
    image.save(out, format=format_, **options)  # no exif, icc_profile or text chunks
    return out.getvalue()


def store(data: bytes, directory: str) -> str:
    """Check, re-encode and write a logo file; its new random name."""
    image, format_ = _decoded(data)
    body = _reencoded(image, format_)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{FORMATS[format_][0]}"
    partial = folder / f".{name}.part"
    partial.write_bytes(body)
    os.replace(partial, folder / name)  # readers never see half a file
    return name


def save(session: Session, supplier: Supplier, data: bytes, directory: str) -> str:
    """Check and store a new logo for `supplier`, removing the one it replaces."""
    name = store(data, directory)
    _replace(session, supplier, name, Path(directory))
    return name


def remove(session: Session, supplier: Supplier, directory: str) -> None:
    _replace(session, supplier, None, Path(directory))


def _replace(session: Session, supplier: Supplier, name: str | None, folder: Path) -> None:
    old = supplier.logo
    supplier.logo = name
    record_change(session, supplier)
    session.commit()
    if old:
        (folder / old).unlink(missing_ok=True)


def content_type(name: str) -> str:
    return CONTENT_TYPES[name.rsplit(".", 1)[1]]
