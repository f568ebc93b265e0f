"""The stack alone: python-socketio doing only the vote-store-tally loop, no portal code.

    gunicorn --workers 1 --threads 2100 --bind 127.0.0.1:PORT bench.bare_vote_server:app
    gunicorn --workers 1 -k gevent --bind 127.0.0.1:PORT bench.bare_vote_server:app
(BARE_ASYNC_MODE=gevent for the second). bench/live_vote.py starts it beside the portal.
"""

import os
import sqlite3
import tempfile
import threading

import socketio

MODE = os.environ.get("BARE_ASYNC_MODE", "threading")
server = socketio.Server(async_mode=MODE)
app = socketio.WSGIApp(server)

_database = os.path.join(tempfile.mkdtemp(), "bare.db")
_lock = threading.Lock()
_connection = sqlite3.connect(_database, check_same_thread=False, isolation_level=None)
_connection.execute("PRAGMA journal_mode = WAL")
_connection.execute("CREATE TABLE votes (voter TEXT PRIMARY KEY, choice TEXT, seq INTEGER)")
_state = {"seq": 0, "changed": False, "started": False}


@server.on("connect")
def connect(sid, environ, auth=None):
    """The rooms named as the connection opens, joined and answered as the portal does."""
    for wanted in (auth or {}).get("rooms", []):
        server.emit("join_answer", {"room": wanted["room"], "reply": join(sid, wanted)}, to=sid)


@server.on("join")
def join(sid, payload):
    server.enter_room(sid, payload["room"])
    return {"ok": True}


@server.on("cast_vote")
def cast_vote(sid, payload):
    with _lock:
        _state["seq"] += 1
        seq = _state["seq"]
        _connection.execute(
            "INSERT INTO votes VALUES (?, ?, ?) ON CONFLICT (voter) DO UPDATE "
            "SET choice = excluded.choice, seq = excluded.seq", (sid, payload["choice"], seq))
        _state["changed"] = True
        if not _state["started"]:
            _state["started"] = True
            server.start_background_task(_publish)
    return {"ok": True, "vote_id": seq, "seq": seq}


def _publish():
    while True:
        server.sleep(0.25)
        with _lock:
            if not _state["changed"]:
                continue
            _state["changed"] = False
            rows = _connection.execute("SELECT choice, count(*) FROM votes GROUP BY choice")
            counts = dict(rows.fetchall())
            seq = _state["seq"]
        server.emit("tally", {"round_id": 1, "seq": seq, "counts": counts}, to="round:1")
