"""What every response tells the browser, and which origins may open a live connection.

The headers keep the portal's pages from running anything but its own files (the
Content-Security-Policy allows no inline script or style), from being framed by another site,
and from leaking addresses in the Referer; a page or file that depends on who is signed in is
never kept by a shared cache. docs/security.md explains each of them.
"""

import re
from collections.abc import Callable

from flask import Flask, Response, g, request, session

#: One year: browsers then refuse plain HTTP to the portal's host for that long.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"

#: Features no page of the portal uses; the browser refuses them to every page.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in
    ("camera", "microphone", "geolocation", "payment", "usb", "display-capture")
)

#: A host as browsers send it: a name or an address, and a port.
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def content_security_policy(socket_hosts: list[str]) -> str:
    """The policy of every response. ``socket_hosts`` are the hosts Socket.IO connects to
    (``'self'`` already covers them in browsers that apply CSP level 3 to WebSockets)."""
    sockets = " ".join(f"{scheme}://{host}" for host in socket_hosts for scheme in ("ws", "wss"))
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        # The outcome preview shows its participation chart as a data: URI.
        "img-src": "'self' data:",
        "connect-src": f"'self' {sockets}".strip(),
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def public_hosts(app: Flask) -> list[str]:
    """The hosts of the configured public origins (``PUBLIC_ORIGINS``)."""
    return [origin.split("://", 1)[1] for origin in app.config["PUBLIC_ORIGINS"]]


def add_security_headers(response: Response, socket_hosts: list[str]) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(socket_hosts))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


#: A response for one person: neither the browser nor any cache in between keeps it.
PERSONAL = "no-store"

#: A file for one person (CSV, Word, JSON): the browser may keep it for its own user and
#: asks the portal again before reusing it; shared caches never keep it.
PERSONAL_DOWNLOAD = "private, no-cache"


def depends_on_the_visitor() -> bool:
    """Whether the response may differ from one visitor to the next: someone is signed in,
    or the request read or wrote the session (the signed-in user, a CSRF token, a flashed
    message)."""
    user = g.get("_login_user")
    return (session.accessed or session.modified
            or (user is not None and user.is_authenticated))


def add_cache_control(response: Response) -> Response:
    """``no-store`` on every response that depends on who asks, ``private, no-cache`` on
    such a download; the portal's static files and a view's own private choice are kept."""
    if request.endpoint == "static" or not depends_on_the_visitor():
        return response
    current = response.headers.get("Cache-Control", "")
    if "no-store" in current or "private" in current:
        return response
    attachment = response.headers.get("Content-Disposition", "").startswith("attachment")
    response.headers["Cache-Control"] = PERSONAL_DOWNLOAD if attachment else PERSONAL
    return response


def register_security_headers(app: Flask) -> None:
    configured = public_hosts(app)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        hosts = configured or ([request.host] if _HOST.match(request.host) else [])
        return add_cache_control(add_security_headers(response, hosts))


def own_origin(environ: dict, trusted_proxies: int) -> str | None:
    """The origin (scheme and host) a request was sent to, as ProxyFix reads it: from the
    ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` set by the trusted proxies only."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if trusted_proxies:
        scheme = _forwarded(environ.get("HTTP_X_FORWARDED_PROTO"), trusted_proxies) or scheme
        host = _forwarded(environ.get("HTTP_X_FORWARDED_HOST"), trusted_proxies) or host
    return f"{scheme}://{host}" if host else None


def _forwarded(value: str | None, trusted_proxies: int) -> str | None:
    """The value the outermost trusted proxy added to a comma-separated header (ProxyFix's
    rule: with ``n`` trusted proxies, the ``n``-th value from the end)."""
    if not value:
        return None
    values = [part.strip() for part in value.split(",")]
    return values[-trusted_proxies] if len(values) >= trusted_proxies else None


def socket_origin_check(public_origins: list[str], trusted_proxies: int
                        ) -> Callable[[str | None, dict], bool]:
    """Engine.IO's ``cors_allowed_origins``: a connection opened by a page of the portal is
    accepted, one opened by a page of any other site is refused. With ``PUBLIC_ORIGINS`` set,
    those origins only; otherwise the origin the request itself was sent to."""
    allowed = set(public_origins)

    def accepts(origin: str | None, environ: dict) -> bool:
        if allowed:
            return origin in allowed
        return origin is not None and origin == own_origin(environ, trusted_proxies)

    return accepts


def parse_origins(value: str) -> list[str]:
    """``PUBLIC_ORIGINS`` as a list: origins separated by commas or spaces, each
    ``scheme://host[:port]`` with the scheme http or https, no path, never ``*``."""
    origins = []
    for origin in value.replace(",", " ").split():
        origin = origin.rstrip("/")
        scheme, separator, host = origin.partition("://")
        if scheme not in ("http", "https") or not separator or not _HOST.match(host):
            raise ValueError(f"PUBLIC_ORIGINS: {origin!r} is not an origin like "
                             "https://consultations.example.org")
        origins.append(origin)
    return origins
