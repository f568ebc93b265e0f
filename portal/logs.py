"""The portal's log: one configuration for gunicorn, the application and the commands.

Every record is one line with its time, level, logger and the request it belongs to (the
``X-Request-ID`` nginx sends, or one made here), as text or, with ``LOG_FORMAT=json``, as one
JSON object per line. gunicorn takes ``logging_config()`` through gunicorn.conf.py, so its own
lines and its access lines come out the same way; ``flask`` commands call
``configure_logging()``.
"""

import json
import logging
import logging.config
import os
import re
import secrets
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

#: A request id as received from a proxy: short, and nothing a log reader could mistake.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

#: The header that carries the request id, from the proxy and back in the response.
REQUEST_ID_HEADER = "X-Request-ID"

#: The access line's format (gunicorn's atoms); ``RequestIdFilter`` adds the request id.
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'

#: gunicorn's atoms for the id the response carries, and the one the proxy sent (a static
#: file's response carries none).
_ACCESS_ID_ATOMS = ("{x-request-id}o", "{x-request-id}i")


def current_request_id() -> str:
    if has_request_context():
        return g.get("request_id", "-")
    return "-"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to each record: the request being served, or for gunicorn's
    access line the id the response carried (or else the proxy sent)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
            if isinstance(record.args, dict):
                for atom in _ACCESS_ID_ATOMS:
                    if record.args.get(atom, "-") != "-":
                        record.request_id = record.args[atom]
                        break
        return True


#: A personal calendar feed's secret address: its token is a credential that lives on (a
#: calendar application fetches it every hour), so no log line keeps it.
_CALENDAR_FEED = re.compile(r"(/calendar/)[^/\s?\"]+(\.ics)")


class SecretAddressFilter(logging.Filter):
    """Masks the token of a calendar feed's address in gunicorn's access lines (the request
    line and the path): whoever reads the log must not be able to read someone's calendar."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            for atom in ("r", "U"):
                value = record.args.get(atom)
                if isinstance(value, str) and "/calendar/" in value:
                    record.args = {**record.args,
                                   atom: _CALENDAR_FEED.sub(r"\1…\2", value)}
        return True


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message``; the lines of a message that has several
    (a traceback, a mail written to the log) are indented under its first."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = getattr(record, "request_id", "-")
        return super().format(record).replace("\n", "\n    ")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for a log collector."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "process": record.process,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def logging_config(log_format: str | None = None, level: str | None = None) -> dict:
    """The ``dictConfig`` of every process: everything to standard error, gunicorn's loggers
    included. ``LOG_FORMAT`` (text or json) and ``LOG_LEVEL`` choose the rest."""
    log_format = (log_format or os.environ.get("LOG_FORMAT") or "text").lower()
    if log_format not in ("text", "json"):
        raise ValueError(f"LOG_FORMAT must be text or json, not {log_format!r}")
    level = (level or os.environ.get("LOG_LEVEL") or "INFO").upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter},
                    "secret_addresses": {"()": SecretAddressFilter}},
        "formatters": {
            "text": {"()": TextFormatter},
            "json": {"()": JsonFormatter},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": log_format,
                "filters": ["request_id", "secret_addresses"],
            },
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            # gunicorn's own loggers lose their handlers and write through the root's.
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
            # Alembic names each of its plugins at start-up in every process.
            "alembic.runtime.plugins": {"level": "WARNING"},
        },
    }


def configure_logging() -> None:
    """Configure the process's logging, unless something (gunicorn, pytest) already has."""
    if not logging.getLogger().handlers:
        logging.config.dictConfig(logging_config())


def register_request_ids(app: Flask) -> None:
    """Give each request an id: the proxy's, when it sends a well-formed one, else a new
    one; it is in every log line of the request and in the response's header (but for
    static files, whose every byte counts on a phone: portal/static_files.py)."""

    @app.before_request
    def _take_request_id():
        received = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = received if _REQUEST_ID.match(received) else secrets.token_hex(8)

    @app.after_request
    def _tell_request_id(response):
        if "request_id" in g and request.endpoint != "static":
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response
