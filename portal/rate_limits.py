"""How often forms may be sent: Flask-Limiter, counting in Redis when ``REDIS_URL`` is set.

Counted per signed-in person, or per network address for visitors (a venue's Wi-Fi puts a
whole room behind one address: the visitors' limits allow for it). Each limited form names its
setting (``RATE_LIMIT_SIGN_IN``...); every other form POST counts against
``RATE_LIMIT_WRITES``. ``RATE_LIMITS`` off turns them all off (the test suite does).
"""

import hashlib
import math
import time
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user

from portal.navigation import safe_next

#: Requests that only read, never counted.
READING = ("GET", "HEAD", "OPTIONS")


def requester() -> str:
    """Whom a request is counted against: the signed-in person, or the network address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{request.remote_addr or 'unknown'}"


def email_in_form() -> str:
    """The e-mail address a form names (hashed: the key is kept in Redis)."""
    email = (request.form.get("email") or "").strip().lower()
    return "email:" + hashlib.sha256(email.encode()).hexdigest()


def rate_limits_off() -> bool:
    return not current_app.config["RATE_LIMITS"]


def _writes_exempt() -> bool:
    return request.method in READING or rate_limits_off()


limiter = Limiter(
    key_func=requester,
    default_limits=[lambda: current_app.config["RATE_LIMIT_WRITES"]],
    default_limits_exempt_when=_writes_exempt,
)


def limited(setting: str, key_func=None, methods=("POST",)):
    """Decorate a view: its POSTs (or the ``methods`` named: a provider's answer to a sign-in
    comes as a GET) are limited by the setting named (read on each request)."""
    return limiter.limit(lambda: current_app.config[setting], methods=list(methods),
                         exempt_when=rate_limits_off, key_func=key_func)


def seconds_to_wait() -> int:
    """Until the limit this request broke lets it through again."""
    breached = [limit.reset_at for limit in limiter.current_limits if limit.breached]
    return max(1, math.ceil(max(breached) - time.time())) if breached else 60


#: Fields whose values never go back into a page.
SECRET_FIELDS = ("password", "csrf_token")


def _is_secret(name: str) -> bool:
    return name in SECRET_FIELDS or "password" in name


def _is_typed(name: str, value: str) -> bool:
    """Whether a field holds something a person wrote (a comment, a reservation, a name), not
    a choice or a number: it has a space or a line break in it, or is long."""
    return not _is_secret(name) and (len(value) > 40 or any(char.isspace() for char in value))


def _way_back() -> tuple[str, str]:
    """Where the refused form came from, and what to call the link there: the page that sent it
    when it is one of the portal's (the Referer), else the consultation it belongs to, else the
    list of consultations."""
    referrer = urlsplit(request.referrer or "")
    here = urlsplit(request.host_url)
    if (referrer.scheme, referrer.netloc) == (here.scheme, here.netloc):
        page = safe_next(urlunsplit(("", "", referrer.path, referrer.query, "")))
        if page:
            return page, _("Go back to the page you were on")
    slug = (request.view_args or {}).get("slug")
    if isinstance(slug, str):
        return url_for("consultations.show", slug=slug), _("Go to the consultation")
    return url_for("consultations.index"), _("Go to the list of consultations")


def _refused(error: RateLimitExceeded):
    seconds = seconds_to_wait()
    fields = [(name, value) for name, values in request.form.lists() for value in values]
    secret = any(_is_secret(name) and name != "csrf_token" for name, _value in fields)
    wait = (ngettext("Wait %(num)d second and send it again.",
                     "Wait %(num)d seconds and send it again.", seconds)
            if seconds < 120 else
            ngettext("Wait %(num)d minute and send it again.",
                     "Wait %(num)d minutes and send it again.", math.ceil(seconds / 60)))
    back, back_label = _way_back()
    page = render_template(
        "errors/429.html", wait=wait,
        # What was written, each text in a box of its own (a list of (field, text)).
        typed=[(name, value) for name, value in fields if _is_typed(name, value)],
        # The form can be sent again, its texts as they are in their boxes, except one that
        # held a password.
        resend=fields if request.method == "POST" and not secret else None,
        is_typed=_is_typed, back=back, back_label=back_label,
        # The language switch leads back there too: the form's address answers POST only.
        current_path=back,
        heading=_("Too many requests"),
    )
    return page, 429, {"Retry-After": str(seconds)}


def init_rate_limits(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _refused)
