"""Error pages that say what happened and where to go next."""

from flask import current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from portal.accounts.passwords import PasswordHashingBusy
from portal.database import is_busy, only_reading
from portal.extensions import db

#: Seconds a client is asked to wait before sending again when the database is busy.
BUSY_RETRY_AFTER = 5


def _page(code: int):
    def handler(error):
        return render_template(f"errors/{code}.html", error=error), code

    return handler


def _server_error(error):
    db.session.rollback()
    # A commit that found the database busy fails after the view, as a server error.
    if is_busy(getattr(error, "original_exception", None) or error):
        return _busy()
    return render_template("errors/500.html"), 500


def _busy(retry_after: int = BUSY_RETRY_AFTER):
    """503 with Retry-After: nothing was done; a page that was only asked for loads again by
    itself after the wait, a form is to be sent again."""
    if "_login_user" not in g:
        # The account could not be loaded (no connection free): the page is made without it,
        # rather than waiting for a connection once more.
        g._login_user = current_app.login_manager.anonymous_user()
    g.database_unavailable = True
    with only_reading():
        page = render_template("errors/busy.html", retry_after=retry_after,
                               reloads=request.method in ("GET", "HEAD"))
    return page, 503, {"Retry-After": str(retry_after)}


def _no_connection_free(error):
    """Every database connection of this process stayed in use for DATABASE_POOL_TIMEOUT
    seconds: many people are arriving at once. Nothing was done."""
    db.session.rollback()
    return _busy()


def _hashing_busy(error: PasswordHashingBusy):
    """Too many passwords waiting to be checked in this process (portal/accounts/passwords.py)."""
    db.session.rollback()
    return _busy(error.retry_after)


def _database_error(error):
    """SQLite's write lock still held by others after the wait (``BUSY_TIMEOUT_MS``): the
    person is told nothing was saved and to send again, with a 503 and Retry-After, not a
    500. Any other database failure goes on to be a server error."""
    if not is_busy(error):
        raise error
    db.session.rollback()
    return _busy()


def _csrf_error(error):
    return render_template("errors/csrf.html", error=error), 400


def register_error_pages(app) -> None:
    for code in (400, 403, 404, 405):
        app.register_error_handler(code, _page(code))
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(PoolTimeout, _no_connection_free)
    app.register_error_handler(PasswordHashingBusy, _hashing_busy)
    app.register_error_handler(500, _server_error)
