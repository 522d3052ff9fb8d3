"""Uploads (ASVS V12.1, V12.2, V12.5): a logo that is also something else (a PNG with a web page
and a script after its image data, or inside a text chunk) reaches the site as pixels only, under
an image type a browser will not second-guess; HTML or SVG sent as a logo is refused whatever
name and type it claims. tests/test_logos.py covers sizes, formats and metadata."""

from __future__ import annotations

import io
from pathlib import Path

from helpers import csrf_token
from PIL import Image, PngImagePlugin
from sqlmodel import select

from locator.models import Supplier

PAYLOAD = b"<html><body><script>alert(document.cookie)</script></body></html>"


def _png(**save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 120, 60)).save(out, format="PNG", **save)
    return out.getvalue()


def _chunk_payload() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", PAYLOAD.decode())
    return _png(pnginfo=info)


def test_a_polyglot_logo_is_stored_and_served_as_pixels_only(app, client, supplier, session):
    for body in (_png() + PAYLOAD, _chunk_payload()):
        assert PAYLOAD in body
        token = csrf_token(client.get("/profile/logo"))
        response = client.post("/profile/logo", content_type="multipart/form-data",
                               data={"csrf_token": token,
                                     "logo": (io.BytesIO(body), "logo.html", "text/html")},
                               follow_redirects=True)
        assert "Your logo has been uploaded" in response.get_data(as_text=True)
        session.expire_all()
        name = session.exec(select(Supplier)).one().logo
        assert name.endswith(".png")  # named for what it is, not what it was called
        assert b"<script" not in (Path(app.config["LOGO_DIR"]) / name).read_bytes()
        served = client.get(f"/suppliers/logos/{name}")
        assert served.mimetype == "image/png"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert b"<script" not in served.data


def test_markup_is_refused_whatever_it_claims_to_be(app, client, supplier, session):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    for body, filename, content_type in ((PAYLOAD, "logo.png", "image/png"),
                                         (svg, "logo.svg", "image/svg+xml"),
                                         (b"\x89PNG\r\n\x1a\n" + PAYLOAD, "logo.png", "image/png")):
        token = csrf_token(client.get("/profile/logo"))
        response = client.post("/profile/logo", content_type="multipart/form-data",
                               data={"csrf_token": token,
                                     "logo": (io.BytesIO(body), filename, content_type)})
        assert response.status_code == 200
        assert "must be a PNG, JPEG or WebP image" in response.get_data(as_text=True)
    session.expire_all()
    assert session.exec(select(Supplier)).one().logo is None
    folder = Path(app.config["LOGO_DIR"])
    assert not folder.exists() or not any(folder.iterdir())
