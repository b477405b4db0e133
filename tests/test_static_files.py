"""Static files: fingerprinted, precompressed, cached for a year; a first visit stays small."""

from __future__ import annotations

import gzip
import json
import re

import brotli
import pytest
from flask import Flask

from portal.assets import CACHE_CONTROL, build, fingerprinted
from portal.extensions import db

FIRST_VISIT_LIMIT = 150 * 1024
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')
REFERENCE = re.compile(r'(?:url\(["\']?|from ["\']|import ["\'])(/static/[^"\')]+)')


def commitment_url(app: Flask) -> str:
    from sqlalchemy import select

    from portal.models import Commitment

    with app.app_context():
        slug = db.session.scalar(select(Commitment.slug).where(Commitment.active.is_(True)))
    return f"/commitments/{slug}"


def assets_of(client, html: str) -> set[str]:
    """Every static file a page links, and every file those link (CSS url(), JS imports)."""
    found: set[str] = set()
    queue = ASSET.findall(html)
    while queue:
        url = queue.pop()
        if url in found:
            continue
        found.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith((".css", ".js", ".mjs")):
            queue.extend(REFERENCE.findall(response.get_data(as_text=True)))
    return found


@pytest.mark.parametrize("path", ["/", "/framework", "commitment"])
def test_every_asset_a_public_page_links_is_fingerprinted_and_immutable(app, client, path):
    assert "static_manifest" in app.extensions, "static/dist is built by make setup"
    url = commitment_url(app) if path == "commitment" else path
    assets = assets_of(client, client.get(url).get_data(as_text=True))
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".mjs") for a in assets)
    for asset in assets:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", asset), asset
        response = client.get(asset)
        assert response.headers["Cache-Control"] == CACHE_CONTROL
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_text_assets_are_served_precompressed_as_brotli_and_gzip(app, client):
    html = client.get("/").get_data(as_text=True)
    for asset in assets_of(client, html):
        if asset.endswith(".svg") and "favicon" in asset:
            continue  # too small for compression to pay
        plain = client.get(asset).data
        br = client.get(asset, headers={"Accept-Encoding": "br, gzip"})
        assert br.headers.get("Content-Encoding") == "br", asset
        assert brotli.decompress(br.data) == plain
        gz = client.get(asset, headers={"Accept-Encoding": "gzip"})
        assert gz.headers.get("Content-Encoding") == "gzip", asset
        assert gzip.decompress(gz.data) == plain
        assert len(br.data) < len(plain) and len(gz.data) < len(plain)
        assert "Accept-Encoding" in br.headers.get("Vary", "")


def test_first_visit_to_a_commitment_page_is_at_most_150_kb(app, client):
    url = commitment_url(app)
    page = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    total = len(page.data)
    for asset in assets_of(client, page.get_data(as_text=True)):
        total += len(client.get(asset, headers={"Accept-Encoding": "br, gzip"}).data)
    assert total <= FIRST_VISIT_LIMIT, f"{total:,} bytes"


def test_an_unknown_or_outdated_fingerprint_is_a_404(client):
    assert client.get("/static/vendor/portal.000000000000.css").status_code == 404
    assert client.get("/static/../instance/secret_key").status_code == 404


def test_build_fingerprints_by_content_and_rewrites_references(tmp_path):
    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    (static / "img").mkdir()
    (static / "scss").mkdir()
    (static / "img" / "logo.svg").write_text("<svg></svg>")
    (static / "js" / "lib.js").write_text("export const x = 1;\n" * 50)
    (static / "js" / "app.mjs").write_text('import { x } from "/static/js/lib.js";\n')
    (static / "site.css").write_text('a{background:url("/static/img/logo.svg")}\n' * 40)
    (static / "scss" / "site.scss").write_text("// source, not served")
    manifest = build(static, tmp_path / "dist")
    assert set(manifest) == {"img/logo.svg", "js/lib.js", "js/app.mjs", "site.css"}
    assert manifest["img/logo.svg"] == fingerprinted("img/logo.svg", b"<svg></svg>")
    app_js = (tmp_path / "dist" / manifest["js/app.mjs"]).read_text()
    assert f'"/static/{manifest["js/lib.js"]}"' in app_js
    css = (tmp_path / "dist" / manifest["site.css"]).read_text()
    assert f'url("/static/{manifest["img/logo.svg"]}")' in css
    assert (tmp_path / "dist" / (manifest["site.css"] + ".br")).is_file()
    assert (tmp_path / "dist" / (manifest["site.css"] + ".gz")).is_file()
    assert json.loads((tmp_path / "dist" / "manifest.json").read_text()) == manifest
    # A change to a file changes its name and the names of the files that refer to it.
    (static / "js" / "lib.js").write_text("export const x = 2;\n" * 50)
    again = build(static, tmp_path / "dist")
    assert again["js/lib.js"] != manifest["js/lib.js"]
    assert again["js/app.mjs"] != manifest["js/app.mjs"]
    assert again["site.css"] == manifest["site.css"]
