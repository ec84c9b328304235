"""Security headers on every response: CSP with a per-request nonce, no framing,
no sniffing, a same-origin referrer, and `no-store` on anything personal.

Decisions (docs/decisions/0012-production-server.md):

* `script-src 'self' 'nonce-…'`: every script is a file under /static; the only
  inline `<script>` blocks are JSON data, and they carry the nonce as well.
* `style-src 'self'` with no 'unsafe-inline': the templates have no `style=`
  attributes or `<style>` blocks. Leaflet and our scripts set styles through
  `element.style`, which CSP does not block.
* `img-src` allows the optional OpenStreetMap basemap host (`CSP_TILE_HOSTS`),
  offered in the map's layer switcher but off by default; set it to `[]` for a
  deployment that must never reach the internet.
* A view that sets its own Content-Security-Policy keeps it (the downloaded
  HTML report is served as an attachment with `sandbox`).
"""

from __future__ import annotations

import secrets

from flask import Flask, g, request
from markupsafe import Markup

DEFAULT_TILE_HOSTS = ("https://tile.openstreetmap.org",)
# Phones in the field use GPS for "where am I"; nothing uses camera or microphone.
PERMISSIONS_POLICY = "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"


def csp_nonce() -> str:
    """This request's nonce, made on first use."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(16)
    return nonce


def content_security_policy(nonce: str, tile_hosts=DEFAULT_TILE_HOSTS) -> str:
    """The page policy: our own files only, inline script by nonce only."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'nonce-{nonce}'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *tile_hosts],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def _is_static() -> bool:
    return request.endpoint == "static" or request.path.startswith("/static/")


def _is_anonymous(app: Flask) -> bool:
    """No user, no credentials and no session cookie on this request."""
    return (
        g.get("user") is None
        and request.authorization is None
        and app.config.get("SESSION_COOKIE_NAME", "session") not in request.cookies
    )


def init_app(app: Flask) -> None:
    """Register the nonce helper and the after-request headers."""
    app.config.setdefault("CSP_TILE_HOSTS", list(DEFAULT_TILE_HOSTS))

    @app.context_processor
    def inject_nonce():
        return {"csp_nonce": lambda: Markup.escape(csp_nonce())}

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            content_security_policy(csp_nonce(), app.config["CSP_TILE_HOSTS"]),
        )
        headers.setdefault("X-Frame-Options", "DENY")
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if _is_static() or response.status_code == 304:
            return response
        # Public data (a layer's GeoJSON with its ETag) may keep the view's own policy,
        # but only when nobody is logged in; everything else may be personal.
        if "Cache-Control" in headers and _is_anonymous(app) and "Set-Cookie" not in headers:
            return response
        # A view that vouches for holding no personal data (the tiles of a layer that
        # is not `personal`, app/tiles_views.py) keeps its policy for everyone.
        if g.get("holds_no_personal_data") and "Set-Cookie" not in headers:
            return response
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
        return response
