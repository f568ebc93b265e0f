"""The Socket.IO wiring: who may connect, and who may follow which room.

Rooms are named ``kind:id`` (``consultation:3``, later ``thread:12``, ``round:7``). Each area
registers, with ``room_kind``, the predicate that says whether a user may follow a room of its
kind; joining any other room is refused. Clients send ``join`` again after a reconnect.
"""

from collections.abc import Callable

from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room, leave_room

from portal.extensions import socketio

RoomCheck = Callable[[object, int], bool]

ROOM_KINDS: dict[str, RoomCheck] = {}


def room_kind(kind: str) -> Callable[[RoomCheck], RoomCheck]:
    def register(check: RoomCheck) -> RoomCheck:
        ROOM_KINDS[kind] = check
        return check

    return register


def parse_room(room: object) -> tuple[str, int] | None:
    if not isinstance(room, str) or len(room) > 64:
        return None
    kind, _separator, identifier = room.partition(":")
    if kind not in ROOM_KINDS or not identifier.isdigit():
        return None
    return kind, int(identifier)


def may_follow(user, room: object) -> bool:
    parsed = parse_room(room)
    return parsed is not None and ROOM_KINDS[parsed[0]](user, parsed[1])


@socketio.on("connect")
def connect(auth=None):
    if not current_user.is_authenticated:
        raise ConnectionRefusedError("authentication required")


@socketio.on("join")
def join(payload):
    room = payload.get("room") if isinstance(payload, dict) else None
    if not may_follow(current_user, room):
        return {"ok": False, "error": _("You may not follow this room.")}
    join_room(room)
    return {"ok": True, "room": room}


@socketio.on("leave")
def leave(payload):
    room = payload.get("room") if isinstance(payload, dict) else None
    if parse_room(room) is None:
        return {"ok": False, "error": _("There is no such room.")}
    leave_room(room)
    return {"ok": True, "room": room}
