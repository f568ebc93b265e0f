"""The entry point for servers: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

from portal import create_app
from portal.extensions import socketio

app = create_app()

__all__ = ["app", "socketio"]
