"""How often forms may be sent: Flask-Limiter, counting in Redis when ``REDIS_URL`` is set.

Counted per signed-in person, or per network address for visitors (a venue's Wi-Fi puts a
whole room behind one address: the visitors' limits allow for it). Each limited form names its
setting (``RATE_LIMIT_SIGN_IN``...); every other form POST counts against
``RATE_LIMIT_WRITES``. ``RATE_LIMITS`` off turns them all off (the test suite does).
"""

import hashlib
import math
import time

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user

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


def limited(setting: str, key_func=None):
    """Decorate a view: its POSTs are limited by the setting named (read on each request)."""
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"],
                         exempt_when=rate_limits_off, key_func=key_func)


def seconds_to_wait() -> int:
    """Until the limit this request broke lets it through again."""
    breached = [limit.reset_at for limit in limiter.current_limits if limit.breached]
    return max(1, math.ceil(max(breached) - time.time())) if breached else 60


#: Fields whose values never go back into a page.
SECRET_FIELDS = ("password", "csrf_token")


def _refused(error: RateLimitExceeded):
    seconds = seconds_to_wait()
    fields = [(name, value) for name, values in request.form.lists() for value in values]
    secret = any("password" in name for name, _value in fields)
    typed = [value for name, value in fields
             if name not in SECRET_FIELDS and ("\n" in value or len(value) > 40)]
    wait = (ngettext("Wait %(num)d second and send it again.",
                     "Wait %(num)d seconds and send it again.", seconds)
            if seconds < 120 else
            ngettext("Wait %(num)d minute and send it again.",
                     "Wait %(num)d minutes and send it again.", math.ceil(seconds / 60)))
    page = render_template(
        "errors/429.html", wait=wait, typed=typed,
        # The form can be sent again as it was, except one that held a password.
        resend=fields if request.method == "POST" and not secret else None,
        heading=_("Too many requests"),
    )
    return page, 429, {"Retry-After": str(seconds)}


def init_rate_limits(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _refused)
