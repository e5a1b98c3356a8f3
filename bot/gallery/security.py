"""The headers and limits every response and request of the web site goes through.

Every response gets a content security policy that allows only this site's own
scripts, styles and images (no inline script, no third-party origin), a
referrer policy that keeps a private gallery's link from leaking to other
sites, and a cache policy chosen by what the response is. Request bodies are
limited by route: only the try-it upload may be large.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}

SMALL_BODY_BYTES = 16 * 1024
"""The largest body a request may carry, except an upload to the try-it page."""

NO_STORE = "no-store"
REVALIDATE = "no-cache"


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Add the security headers, and a default cache policy, to a response about to be sent.

    Connected to the application's ``on_response_prepare`` signal, so streamed responses and
    error pages get them as well.
    """
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", REVALIDATE)


def body_limit(upload_route_prefix: str) -> Middleware:
    """A middleware refusing large bodies on every route but the upload routes."""

    @web.middleware
    async def limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        length = request.content_length
        is_upload = request.path.startswith(upload_route_prefix)
        if length is not None and length > SMALL_BODY_BYTES and not is_upload:
            raise web.HTTPRequestEntityTooLarge(
                max_size=SMALL_BODY_BYTES,
                actual_size=length,
                text=f"A request here may carry at most {SMALL_BODY_BYTES} bytes, not {length}.",
            )
        return await handler(request)

    return limit


def is_loopback(request: web.Request) -> bool:
    """Whether the request comes straight from this machine (no proxy in between)."""
    if "Forwarded" in request.headers or "X-Forwarded-For" in request.headers:
        return False
    return request.remote in {"127.0.0.1", "::1"}
