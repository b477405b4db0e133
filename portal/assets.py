"""Static files: fingerprinted names, precompressed, cached for a year (issue 17).

`python -m portal.assets` (run by `make setup`, after the front-end packages are copied into
static/vendor/ and the CSS compiled) builds static/dist/:

- every file of static/ (not the Sass sources) copied under a name carrying the first 12 hex
  digits of its SHA-256 (`vendor/portal.css` -> `vendor/portal.3b1f0c9d2e4a.css`); references to
  other static files inside CSS and JavaScript (`url("/static/...")`, `import ... from
  "/static/..."`) are rewritten to those names first, so a change anywhere changes every name
  that depends on it;
- beside each, `.br` and `.gz` copies (WhiteNoise's compressor: Brotli and gzip at their
  highest levels), kept only where they are smaller;
- manifest.json, from each file's own name to its fingerprinted one.

The app (`init_app`) then serves static/dist/ through WhiteNoise, which answers a browser that
accepts Brotli or gzip with the precompressed file, and makes `url_for("static", filename=...)`
give the fingerprinted address, with `Cache-Control: public, max-age=31536000, immutable`.
Without a build (a checkout before `make setup`) Flask serves static/ itself, as before.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

import brotli
from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
DIST = STATIC / "dist"
MANIFEST = "manifest.json"
CACHE_CONTROL = "public, max-age=31536000, immutable"
SKIPPED_DIRS = {"dist", "scss"}
SKIPPED_NAMES = {".copied"}
REFERENCE = re.compile(r"/static/([A-Za-z0-9_./-]+)")
REWRITTEN = {".css", ".js", ".mjs"}
FINGERPRINT = re.compile(r"\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$")


def fingerprinted(relative: str, content: bytes) -> str:
    """Return `relative` with the first 12 hex digits of the content's SHA-256 before its
    extension."""
    digest = hashlib.sha256(content).hexdigest()[:12]
    path = Path(relative)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def _sources(static: Path) -> list[Path]:
    files = []
    for path in sorted(static.rglob("*")):
        relative = path.relative_to(static)
        if (
            path.is_file()
            and relative.parts[0] not in SKIPPED_DIRS
            and path.name not in (SKIPPED_NAMES)
        ):
            files.append(path)
    return files


def build(static: Path = STATIC, dist: Path = DIST, compress: bool = True) -> dict[str, str]:
    """Write the fingerprinted, precompressed copy of `static` into `dist`; return the manifest."""
    if dist.exists():
        shutil.rmtree(dist)
    dist.mkdir(parents=True)
    sources = _sources(static)
    # Files that refer to no other static file first, so those that do can use their new names.
    contents = {p: p.read_bytes() for p in sources}
    refers = {p: p.suffix in REWRITTEN and b"/static/" in contents[p] for p in sources}
    manifest: dict[str, str] = {}
    for path in sorted(sources, key=lambda p: refers[p]):
        relative = path.relative_to(static).as_posix()
        content = contents[path]
        if refers[path]:
            text = content.decode("utf-8")
            text = REFERENCE.sub(lambda m: "/static/" + manifest.get(m.group(1), m.group(1)), text)
            content = text.encode("utf-8")
        name = fingerprinted(relative, content)
        target = dist / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        manifest[relative] = name
    (dist / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    if compress:
        compressor = QuickerCompressor(quiet=True)
        for name in manifest.values():
            path = dist / name
            if compressor.should_compress(path.name):
                compressor.compress(str(path))
    return manifest


class QuickerCompressor(Compressor):
    """WhiteNoise's compressor, with Brotli's highest level kept for files under 512 KB: the
    API documentation's 1.7 MB bundle took minutes of every set-up at level 11."""

    @staticmethod
    def compress_brotli(data: bytes) -> bytes:
        return brotli.compress(data, quality=11 if len(data) < 512 * 1024 else 9)


class ImmutableStatic(WhiteNoise):
    """WhiteNoise with the portal's headers: a year's immutable caching for fingerprinted
    names, and the security headers every response of the portal carries."""

    def add_cache_headers(self, headers, path, url):
        if FINGERPRINT.search(url):
            headers["Cache-Control"] = CACHE_CONTROL
        else:
            super().add_cache_headers(headers, path, url)


def _security_headers(headers, path, url) -> None:
    from .security import CSP

    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = CSP


def init_app(app: Flask, dist: Path = DIST) -> None:
    """Serve the built static files (if built) with fingerprinted addresses."""
    manifest_path = dist / MANIFEST
    if not manifest_path.is_file():
        return
    manifest: dict[str, str] = json.loads(manifest_path.read_text())
    app.extensions["static_manifest"] = manifest
    app.wsgi_app = ImmutableStatic(  # type: ignore[method-assign]
        app.wsgi_app,
        root=str(dist),
        prefix="/static/",
        add_headers_function=_security_headers,
    )

    @app.url_defaults
    def fingerprinted_static(endpoint: str, values: dict) -> None:
        if endpoint == "static":
            name = manifest.get(values.get("filename", ""))
            if name is not None:
                values["filename"] = name


if __name__ == "__main__":
    built = build()
    print(f"static/dist: {len(built)} files fingerprinted and compressed", file=sys.stderr)
