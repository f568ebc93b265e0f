"""The entry point for servers: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

from portal import create_app
from portal.extensions import socketio
from portal.logs import configure_logging

# Under gunicorn the log is configured already (gunicorn.conf.py); for ``flask`` commands here.
configure_logging()
app = create_app()

__all__ = ["app", "socketio"]
