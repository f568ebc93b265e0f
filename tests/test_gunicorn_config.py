"""gunicorn.conf.py: the Socket.IO mode follows the worker class, and nothing is left in the
home folder."""

import logging
import os
import types

import pytest
import requests

from portal import gunicorn_config
from tests.servers import PortalServer, prepare_database


@pytest.mark.parametrize(("worker", "mode"), [
    ("gevent", "gevent"), ("gthread", "threading"), ("sync", "threading"),
    ("gunicorn.workers.ggevent.GeventWorker", "gevent"),
])
def test_the_socketio_mode_follows_the_worker_class(monkeypatch, worker, mode):
    monkeypatch.setenv("SOCKETIO_ASYNC_MODE", "threading")
    server = types.SimpleNamespace(cfg=types.SimpleNamespace(worker_class_str=worker),
                                   log=logging.getLogger("gunicorn.error"))
    gunicorn_config.on_starting(server)
    assert os.environ["SOCKETIO_ASYNC_MODE"] == mode


def test_a_served_portal_leaves_nothing_in_the_home_folder(tmp_path):
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    prepare_database(url)
    home = tmp_path / "home"
    home.mkdir()
    server = PortalServer(url, tmp_path, HOME=str(home)).start()
    try:
        assert requests.get(f"{server.url}/healthz", timeout=30).ok
    finally:
        server.stop()
    assert list(home.iterdir()) == []
    assert "Using worker: gthread" in server.log()
