"""Error pages that say what happened and where to go next."""

from flask import render_template
from flask_wtf.csrf import CSRFError

from portal.extensions import db


def _page(code: int):
    def handler(error):
        return render_template(f"errors/{code}.html", error=error), code

    return handler


def _server_error(error):
    db.session.rollback()
    return render_template("errors/500.html"), 500


def _csrf_error(error):
    return render_template("errors/csrf.html", error=error), 400


def register_error_pages(app) -> None:
    for code in (400, 403, 404, 405):
        app.register_error_handler(code, _page(code))
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(500, _server_error)
