"""Gzip for the static text files (JavaScript, CSS, HTML) when the browser accepts it.

Leaflet, the map's scripts and the style sheets are most of a first visit's bytes after
the layers (whose GeoJSON app/api.py gzips itself); over a workshop laptop's Wi-Fi they
shrink to about a third. Files of at least `MIN_BYTES` are compressed once per version
(their ETag) and kept. The gzipped copy has its own ETag (`…-gzip`), answered with 304
like the file's; `Vary: Accept-Encoding` tells caches that the two differ.

Rendered pages are not compressed: each carries the session's CSRF token next to text
from the address (the search box), the pattern of the BREACH attack on HTTPS.
"""

from __future__ import annotations

import gzip

from flask import Flask, request

MIN_BYTES = 1024
TEXT_TYPES = frozenset({"text/javascript", "application/javascript", "text/css", "text/html"})
_CACHE_SIZE = 64


def _is_static() -> bool:
    return request.endpoint == "static" or request.path.startswith("/static/")


def _close_body(response) -> None:
    """Close the file send_file opened before its body is replaced."""
    close = getattr(response.response, "close", None)
    if close is not None:
        close()


def init_app(app: Flask) -> None:
    cache: dict[str, bytes] = {}

    @app.after_request
    def gzip_static(response):
        if not _is_static() or response.mimetype not in TEXT_TYPES:
            return response
        length = response.content_length
        if response.status_code != 200 or length is None or length < MIN_BYTES:
            return response
        if "Content-Encoding" in response.headers:
            return response
        response.vary.add("Accept-Encoding")
        if "gzip" not in request.accept_encodings:
            return response
        etag, weak = response.get_etag()
        key = f"{request.path}\n{etag}" if etag else None
        packed = cache.get(key) if key else None
        response.direct_passthrough = False  # send_file's file wrapper: read it here
        if packed is None:
            packed = gzip.compress(response.get_data(), compresslevel=6)
            if key:
                if len(cache) >= _CACHE_SIZE:
                    cache.pop(next(iter(cache)))
                cache[key] = packed
        _close_body(response)
        if etag:
            response.set_etag(f"{etag}-gzip", weak=weak)
            if request.if_none_match.contains_raw(response.headers["ETag"]):
                response.status_code = 304
                response.set_data(b"")
                del response.headers["Content-Length"]
                return response
        response.set_data(packed)
        response.headers["Content-Encoding"] = "gzip"
        return response
