"""Logo upload: images are decoded and re-encoded, stored under a random name and served with
their type and a long cache lifetime; anything else, or anything too big, is refused with a
message on the form."""

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from helpers import admin_client, csrf_token, post_form, publish_approved
from PIL import Image, PngImagePlugin
from sqlmodel import select

from locator import search_runtime
from locator.models import Supplier


def _image(format_: str, size=(120, 80), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(out, format=format_, **save)
    return out.getvalue()


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header says it is `width` × `height`: decoding it would take gigabytes."""
    data = bytearray(_image("PNG", (1, 1)))
    ihdr = bytearray(data[16:29])
    ihdr[0:8] = struct.pack(">II", width, height)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(ihdr)))
    return bytes(data)


def _upload(client, body: bytes, filename: str):
    token = csrf_token(client.get("/profile/logo"))
    return client.post(
        "/profile/logo",
        data={"csrf_token": token, "logo": (io.BytesIO(body), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


@pytest.fixture
def supplier(app, client, session, sign_up):
    sign_up()
    publish_approved(client, admin_client(app), session)
    return lambda: (session.expire_all(), session.exec(select(Supplier)).one())[1]


def _exif_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera Co"  # Make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    return _image("JPEG", exif=exif.tobytes())


def _png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "private note")
    return _image("PNG", pnginfo=info)


@pytest.mark.parametrize(
    ("body", "filename", "content_type", "secret"),
    [
        (_exif_jpeg(), "logo.jpg", "image/jpeg", b"Secret Camera Co"),
        (_png_with_text(), "logo.png", "image/png", b"private note"),
        (_image("WEBP"), "logo.webp", "image/webp", None),
    ],
    ids=["jpeg", "png", "webp"],
)
def test_an_image_is_reencoded_and_served_with_its_type(
    app, client, supplier, body, filename, content_type, secret
):
    response = _upload(client, body, filename)
    assert "Your logo has been uploaded" in response.data.decode()
    name = supplier().logo
    assert re.fullmatch(r"[0-9a-f]{32}\.(png|jpg|webp)", name)
    stored = Path(app.config["LOGO_DIR"]) / name
    assert stored.exists() and stored.read_bytes() != body  # written again, not copied
    if secret:
        assert secret in body and secret not in stored.read_bytes()

    served = client.get(f"/suppliers/logos/{name}")
    assert served.status_code == 200
    assert served.mimetype == content_type
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in served.headers["Cache-Control"]
    assert "immutable" in served.headers["Cache-Control"]
    assert Image.open(io.BytesIO(served.data)).size == (120, 80)


def test_the_logo_is_shown_where_buyers_see_the_supplier(app, client, supplier):
    _upload(client, _image("PNG"), "logo.png")
    search_runtime.sync(app)
    src = f'src="/suppliers/logos/{supplier().logo}"'
    slug = supplier().slug
    for page in (f"/suppliers/{slug}", "/search?q=kestrel", "/new-arrivals"):
        assert src in client.get(page).data.decode(), page


def test_without_a_logo_pages_show_initials(client, supplier):
    page = client.get(f"/suppliers/{supplier().slug}").data.decode()
    assert re.search(r'app-logo--placeholder" aria-hidden="true">KH<', page)


REFUSED = {
    "text": (b"Just some words, not a picture.\n", "logo.png", "must be a PNG, JPEG or WebP image"),
    "svg-script": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "logo.svg",
        "must be a PNG, JPEG or WebP image",
    ),
    "gif": (_image("GIF"), "logo.gif", "must be a PNG, JPEG or WebP image"),
    "oversize": (_image("PNG", (4001, 10)), "wide.png", "at most 4,000 × 4,000 pixels"),
    "decompression-bomb": (
        _png_declaring(50_000, 50_000), "bomb.png", "at most 4,000 × 4,000 pixels"
    ),
    "over-1mb": (_image("PNG") + b"\0" * (1024 * 1024), "heavy.png", "smaller than 1 MB"),
}


def test_what_is_not_a_usable_image_is_refused_on_the_form(app, client, supplier):
    folder = Path(app.config["LOGO_DIR"])
    for case, (body, filename, message) in REFUSED.items():
        response = _upload(client, body, filename)
        page = response.data.decode()
        assert response.status_code == 200, case
        assert message in page and "govuk-error-summary" in page, case
        assert supplier().logo is None, case
        assert not folder.exists() or not any(folder.iterdir()), case


def test_a_new_logo_replaces_the_old_file_and_removing_deletes_it(app, client, supplier):
    _upload(client, _image("PNG"), "one.png")
    first = supplier().logo
    _upload(client, _image("JPEG"), "two.jpg")
    second = supplier().logo
    folder = Path(app.config["LOGO_DIR"])
    assert second != first and not (folder / first).exists() and (folder / second).exists()
    post_form(client, "/profile/logo/remove", {}, form_page="/profile/logo")
    assert supplier().logo is None and not (folder / second).exists()
    assert client.get(f"/suppliers/logos/{second}").status_code == 404


@pytest.mark.parametrize("name", ["../secret_key", "abc.png", "0" * 32 + ".svg", "x" * 40])
def test_only_logo_names_are_served(client, name):
    assert client.get(f"/suppliers/logos/{name}").status_code == 404
