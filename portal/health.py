"""Health checks for nginx, systemd and monitors (docs/deployment.md).

``/healthz``: the process answers. ``/readyz``: it can serve, the database answering
``SELECT 1``; Redis is reported but not required, the portal keeping working without it.
"""

import logging

import redis
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db

log = logging.getLogger(__name__)

blueprint = Blueprint("health", __name__)

#: Seconds the Redis check waits: a monitor must get its answer even when Redis hangs.
REDIS_TIMEOUT = 1.0


@blueprint.get("/healthz")
def healthz():
    return _json({"status": "ok"}, 200)


@blueprint.get("/readyz")
def readyz():
    checks = {"database": _database(), "redis": _redis()}
    ready = checks["database"] == "ok"
    return _json({"status": "ok" if ready else "unavailable", "checks": checks},
                 200 if ready else 503)


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.warning("Readiness: the database does not answer: %s", error)
        db.session.rollback()
        return "unavailable"
    return "ok"


def _redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT,
                                  socket_connect_timeout=REDIS_TIMEOUT)
    try:
        client.ping()
    except redis.RedisError as error:
        log.warning("Readiness: Redis does not answer (the portal goes on without it): %s",
                    error)
        return "unavailable"
    finally:
        client.close()
    return "ok"


def _json(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    # A check must reach the process, never a cache.
    response.headers["Cache-Control"] = "no-store"
    return response
