"""Where the portal sends people after an action."""

from urllib.parse import urlsplit

from flask import redirect, url_for
from werkzeug.routing import IntegerConverter

from portal.database import MAX_ROW_ID


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in the portal's URLs: a number that can be a row's id, else the page is
    not found."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ROW_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: ``next`` never leaves the portal."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(char) < 32 for char in target):
        return None
    return target


def favicon():
    """``/favicon.ico``, which browsers ask for on their own: the portal's icon, an SVG (pages
    name it in their ``<link rel="icon">``)."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
