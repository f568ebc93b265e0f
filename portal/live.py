"""The Socket.IO wiring: who may connect, who may follow which room, what is pushed, and who
is present.

Rooms are named ``kind:id`` (``consultation:3``, ``thread:12``, ``group:4``). Each area
registers, with ``room_kind``, the predicate that says whether a user may follow a room of its
kind; joining any other room is refused. Clients send ``join`` again after a reconnect.

Client events are declared with ``client_event``: each takes one object, and each connection
may send a few per second (a token bucket in the connection's memory); anything else is refused
with an error answer, never an exception in the server.

Changes are pushed with ``broadcast_after_commit``: the event leaves only once the transaction
that made the change has committed, so nobody sees what was then rolled back.

Whoever loses the right to follow a room stops receiving it at once. Each area declares, with
``access_depends_on``, the models whose changes can take rooms away (a registration cancelled
or declined, a role changed, a place in a breakout group moved, a sign-in ended, a password
changed); once such a change commits, every process checks the connections of the people
concerned again: a connection whose sign-in has ended is disconnected, and the others leave
the rooms they may no longer follow (``recheck_followers``, across processes through the
message queue).
"""

import functools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from flask import current_app, g, request
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room, leave_room
from sqlalchemy import event, inspect
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from portal import refusals
from portal.accounts.models import SignIn, User
from portal.database import committed_for_good, is_row_id
from portal.extensions import db, socketio
from portal.presence import presence

log = logging.getLogger(__name__)

RoomCheck = Callable[[object, int], bool]
#: A room's state for a client (re)joining it: called with the room's id and the server time
#: of the client's previous join (or of the page it was given), None on a first join.
RoomSnapshot = Callable[[int, datetime | None], dict]

ROOM_KINDS: dict[str, RoomCheck] = {}
#: For room kinds whose state a client needs on (re)joining: the state, sent in the join ack.
ROOM_SNAPSHOTS: dict[str, RoomSnapshot] = {}

#: Room kinds whose followers are counted and told how many are present.
PRESENCE_KINDS: set[str] = set()


def room_kind(kind: str, presence: bool = False,
              snapshot: RoomSnapshot | None = None) -> Callable[[RoomCheck], RoomCheck]:
    def register(check: RoomCheck) -> RoomCheck:
        ROOM_KINDS[kind] = check
        if presence:
            PRESENCE_KINDS.add(kind)
        if snapshot is not None:
            ROOM_SNAPSHOTS[kind] = snapshot
        return check

    return register


def room_snapshot(kind: str) -> Callable[[RoomSnapshot], RoomSnapshot]:
    """Give the rooms of a kind registered elsewhere a state sent on joining."""
    def register(snapshot: RoomSnapshot) -> RoomSnapshot:
        ROOM_SNAPSHOTS[kind] = snapshot
        return snapshot

    return register


def parse_room(room: object) -> tuple[str, int] | None:
    """``kind:id`` of a room, written the one way rooms are named (``round:7``, never
    ``round:07``), or None."""
    if not isinstance(room, str) or len(room) > 64:
        return None
    kind, _separator, identifier = room.partition(":")
    if (kind not in ROOM_KINDS or not identifier.isascii() or not identifier.isdigit()
            or len(identifier) > 15 or str(int(identifier)) != identifier):
        return None
    number = int(identifier)
    return (kind, number) if is_row_id(number) else None


def may_follow(user, room: object) -> bool:
    parsed = parse_room(room)
    return parsed is not None and ROOM_KINDS[parsed[0]](user, parsed[1])


def person_room(user_id: int) -> str:
    """The room of every connection of one person; the server puts them in it (its kind is
    not one clients may join)."""
    return f"person:{user_id}"


def broadcast_after_commit(name: str, payload: dict, room: str) -> None:
    db.session.info.setdefault("broadcasts", []).append((name, payload, room))


#: Who a changed row may take rooms away from: a function of the row giving user ids, or None
#: for everyone (a change that concerns a whole consultation).
UsersConcerned = Callable[[object], Iterable[int] | None]
ACCESS_CHANGES: dict[type, UsersConcerned] = {}
EVERYONE = "everyone"


def access_depends_on(model: type) -> Callable[[UsersConcerned], UsersConcerned]:
    def register(users_concerned: UsersConcerned) -> UsersConcerned:
        ACCESS_CHANGES[model] = users_concerned
        return users_concerned

    return register


def recheck_followers_after_commit(user_ids: Iterable[int] | None) -> None:
    """Check the connections of these people (None: everyone's) again once the current
    transaction commits; for changes made without the ORM's unit of work (bulk statements)."""
    concerned = db.session.info.setdefault("followers to check", set())
    concerned.update([EVERYONE] if user_ids is None else user_ids)


@event.listens_for(Session, "before_flush")
def _note_access_changes(session: Session, flush_context, instances) -> None:
    concerned = session.info.setdefault("followers to check", set())
    changed = [instance for instance in session.dirty if session.is_modified(instance)]
    for instance in [*changed, *session.deleted]:
        users_concerned = ACCESS_CHANGES.get(type(instance))
        if users_concerned is not None:
            users = users_concerned(instance)
            concerned.update([EVERYONE] if users is None else users)


@event.listens_for(Session, "after_commit")
def _send_broadcasts(session: Session) -> None:
    if not committed_for_good(session):
        return
    for name, payload, room in session.info.pop("broadcasts", []):
        socketio.emit(name, payload, to=room)
    concerned = session.info.pop("followers to check", set())
    concerned.discard(None)
    if concerned:
        followers_check.request(sorted(concerned, key=str))


@event.listens_for(Session, "after_rollback")
def _drop_broadcasts(session: Session) -> None:
    session.info.pop("broadcasts", None)
    session.info.pop("followers to check", None)


class FollowersCheck:
    """Checks this process's connections of some people again (``recheck_followers``), and
    asks the other processes to do the same through the app's message queue.

    The check runs in a background task; with ``FOLLOWERS_CHECK_TASK`` off (the test suite) it
    waits for ``flush``, called in the caller's thread."""

    def __init__(self):
        self._waiting: list[tuple[object, list]] = []
        self._lock = threading.Lock()

    def init_app(self, app, queue) -> None:
        app.extensions["followers check queue"] = queue
        if queue is not None:
            queue.on_control = functools.partial(self.run, app)

    def request(self, concerned: list) -> None:
        app = current_app._get_current_object()
        queue = app.extensions.get("followers check queue")
        if queue is not None:
            queue.publish_control({"recheck": concerned})
        if app.config["FOLLOWERS_CHECK_TASK"]:
            socketio.start_background_task(self.run, app, {"recheck": concerned})
        else:
            with self._lock:
                self._waiting.append((app, concerned))

    def forget_waiting(self) -> None:
        """Drop the checks waiting for ``flush`` (the test suite, between tests)."""
        with self._lock:
            self._waiting.clear()

    def flush(self) -> None:
        with self._lock:
            waiting, self._waiting = self._waiting, []
        for app, concerned in waiting:
            self.run(app, {"recheck": concerned})

    @staticmethod
    def run(app, message: dict) -> None:
        concerned = message.get("recheck")
        if not isinstance(concerned, list):
            return
        try:
            with app.app_context():
                recheck_followers(None if EVERYONE in concerned else set(concerned))
        except Exception:
            log.exception("Checking who may still follow their rooms failed")


followers_check = FollowersCheck()


def recheck_followers(user_ids: set[int] | None) -> None:
    """Disconnect this process's connections (of these people, or everyone's) whose sign-in
    has ended, and take the others out of the rooms they may no longer follow."""
    from portal.accounts.operations import load_signed_in_user

    server = socketio.server
    this_app = current_app._get_current_object()
    try:
        for sid, memory in list(_connections.items()):
            user_id = memory.get("user_id")
            if (user_id is None or memory.get("app") is not this_app
                    or (user_ids is not None and user_id not in user_ids)):
                continue
            user = load_signed_in_user(memory["sign_in"])
            if user is None or user.id != user_id:
                server.disconnect(sid, namespace="/", ignore_queue=True)
                continue
            memory["person"] = user
            for room in server.manager.get_rooms(sid, "/"):
                if room != sid and parse_room(room) is not None and not may_follow(user, room):
                    server.leave_room(sid, room, namespace="/")
                    memory.pop("voter", None)
                    if room in memory.get("counted_rooms", set()):
                        memory["counted_rooms"].discard(room)
                        socketio.emit("presence", {"room": room,
                                                   "count": presence.leave(room, sid)}, to=room)
    finally:
        db.session.remove()


#: What this process remembers about each of its connections between their events (a
#: connection's events all reach the process it connected to), forgotten at disconnect.
_connections: dict[str, dict] = {}


def still_connected() -> bool:
    """Whether the current connection is still there: events sent just before a page went
    away arrive after its disconnection. A connection being accepted (its ``connect`` handler
    joining its rooms) is there."""
    manager = socketio.server.manager
    return manager.is_connected(request.sid, "/") or manager.is_pre_connected(request.sid, "/")


def connection_memory() -> dict:
    """What the current connection's handlers remember between its events."""
    return _connections.setdefault(request.sid, {})


def refusal(reason: str, code: str) -> dict:
    """The answer to a client event that was not carried out (docs/live-protocol.md)."""
    return {"ok": False, "error": reason, "code": code}


#: Seconds a client waits (and up to as many again, at random) before sending again what the
#: server was too busy to do.
BUSY_RETRY_AFTER = 5


def busy_refusal() -> dict:
    """Every database connection of the process stayed in use for DATABASE_POOL_TIMEOUT
    seconds (many people arriving at once): nothing was done, send it again later."""
    with force_locale(connection_locale()):
        reason = _("Many people are arriving at this moment and this was not done: it is sent "
                   "again in a few seconds.")
    return {**refusal(reason, "busy"), "retry_after": BUSY_RETRY_AFTER}


def connection_locale() -> str:
    """The language of the connection's person when it connected: events are answered in it
    without loading the account again (which, with every database connection in use, would
    leave the event unanswered)."""
    return _connections.get(request.sid, {}).get("locale") or "en"


#: The most a client event's payload may hold: strings' characters, and values.
MAX_PAYLOAD_CHARACTERS = 16_000
MAX_PAYLOAD_VALUES = 64


def payload_fits(payload: object) -> bool:
    """Whether a payload stays within the sizes above (the transport already refuses
    messages over ``SOCKETIO_MAX_HTTP_BUFFER_SIZE`` bytes)."""
    waiting, characters, values = [payload], 0, 0
    while waiting:
        value = waiting.pop()
        values += 1
        if values > MAX_PAYLOAD_VALUES:
            return False
        if isinstance(value, str):
            characters += len(value)
        elif isinstance(value, dict):
            waiting += [*value.keys(), *value.values()]
        elif isinstance(value, list):
            waiting += value
        if characters > MAX_PAYLOAD_CHARACTERS:
            return False
    return True


def take_event_token() -> bool:
    """Whether the current connection may send one more event now: a bucket of
    ``SOCKET_EVENT_BURST`` tokens, refilled at ``SOCKET_EVENTS_PER_SECOND``."""
    memory = connection_memory()
    rate = current_app.config["SOCKET_EVENTS_PER_SECOND"]
    burst = current_app.config["SOCKET_EVENT_BURST"]
    now = time.monotonic()
    tokens, then = memory.get("event_tokens", (burst, now))
    tokens = min(burst, tokens + (now - then) * rate)
    allowed = tokens >= 1
    memory["event_tokens"] = (tokens - 1 if allowed else tokens, now)
    return allowed


UNREADABLE = _l("The message could not be read.")


def client_event(name: str, unreadable=UNREADABLE):
    """Declare the handler of a client event. It is called with the payload only when the
    connection is within its pace and the payload is one object of a sensible size;
    ``unreadable`` is the refusal's reason otherwise."""

    def register(handler: Callable[[dict], dict]) -> Callable:
        @functools.wraps(handler)
        def guarded(*arguments):
            if not still_connected():
                # Sent just before the page went away: nobody is left to answer.
                return None
            _sign_in_as_connected()
            with force_locale(connection_locale()):
                return _answer(handler, arguments, unreadable)

        return socketio.on(name)(guarded)

    return register


def _sign_in_as_connected() -> None:
    """The event's person is the one its connection signed in as, without loading the account
    again: a vote or a join costs no query for it. Whatever would change that answer (the
    sign-in ended, the account deleted or its administrator right changed) disconnects the
    connection or loads the person again (``recheck_followers``); a vote's statement checks
    in the database that its sign-in is still active."""
    person = _connections.get(request.sid, {}).get("person")
    if person is None:
        return
    user = db.session.merge(person, load=False)
    user.sign_in_token = person.sign_in_token
    user.current_sign_in = (db.session.merge(person.current_sign_in, load=False)
                            if person.current_sign_in is not None else None)
    # Where flask-login keeps the request's user (its login_user does the same).
    g._login_user = user


def person_loaded_again():
    """The connection's person loaded again from the database for the rest of the event
    (None when its sign-in has ended), for an answer that must say why it refuses."""
    from portal.accounts.operations import load_signed_in_user

    memory = connection_memory()
    user = load_signed_in_user(memory.get("sign_in"))
    if user is not None:
        memory["person"] = user
    g._login_user = user if user is not None else current_app.login_manager.anonymous_user()
    return g._login_user


def _answer(handler: Callable[[dict], dict], arguments: tuple, unreadable) -> dict:
    if not take_event_token():
        return refusal(_("Too many messages in a short time: wait a moment and send it again."),
                       "rate_limited")
    if len(arguments) != 1 or not isinstance(arguments[0], dict) or not payload_fits(arguments[0]):
        return refusal(str(unreadable), "invalid_payload")
    try:
        answer = handler(arguments[0])
    except PoolTimeout:
        db.session.rollback()
        return busy_refusal()
    if refusals.was_refused(db.session):
        # Whatever the handler did after a refusal, nothing of it is kept.
        refusals.end_transaction(db.session, keep=False)
    return answer


#: The event a message becomes when its payload cannot be decoded (nested too deep for the
#: parser, or not JSON): it is answered ``invalid_payload`` like any other unreadable event.
UNREADABLE_EVENT = "$unreadable"


class PacketJson:
    """The JSON the Socket.IO server reads and writes packets with: the standard module, except
    that a packet nested too deep to decode (``[[[[...]]]]`` 20,000 times fits in 64 kB) or not
    JSON at all is read as the event ``UNREADABLE_EVENT``, so it gets an answer instead of
    failing in the server."""

    @staticmethod
    def dumps(*arguments, **options) -> str:
        return json.dumps(*arguments, **options)

    @staticmethod
    def loads(text, *arguments, **options):
        try:
            return json.loads(text, *arguments, **options)
        except (RecursionError, ValueError):
            return [UNREADABLE_EVENT]


@socketio.on(UNREADABLE_EVENT)
def unreadable(*arguments) -> dict:
    with force_locale(connection_locale()):
        return refusal(str(UNREADABLE), "invalid_payload")


@socketio.on_error_default
def failed_event(error: Exception) -> dict:
    """An event whose handler failed: nothing it did is kept, and the client is told."""
    log.exception("A Socket.IO event failed", exc_info=error)
    db.session.rollback()
    with force_locale(connection_locale()):
        return refusal(_("This could not be done: send it again."), "server_error")


def _counted_rooms() -> set[str]:
    """The counted rooms the current connection is in, to leave them on disconnect."""
    return connection_memory().setdefault("counted_rooms", set())


def _counted(room: str) -> bool:
    parsed = parse_room(room)
    return parsed is not None and parsed[0] in PRESENCE_KINDS


@socketio.on("connect")
def connect(auth=None):
    try:
        signed_in = current_user.is_authenticated
    except PoolTimeout:
        db.session.rollback()
        # The client connects again after the wait (live.js).
        raise ConnectionRefusedError("busy", busy_refusal()) from None
    if not signed_in:
        raise ConnectionRefusedError("authentication required")
    # Who the connection belongs to, by which sign-in and in which app: checked again, with
    # that app's database, when they change.
    connection_memory().update(user_id=current_user.id, sign_in=current_user.get_id(),
                               person=current_user._get_current_object(),
                               app=current_app._get_current_object(),
                               locale=str(get_locale() or "en"))
    # Every connection of a person (two tabs, a phone and a laptop) hears of their own votes.
    join_room(person_room(current_user.id))
    _join_on_connecting(auth)
    if not _transport_open():
        # Gone while its rooms were joined (their queries let other connections run):
        # python-socketio would keep it as connected, so it is refused and forgotten.
        disconnect()
        return False
    return None


def _transport_open() -> bool:
    """Whether the Engine.IO connection under the Socket.IO one being accepted is still open."""
    server = socketio.server
    return server.manager.eio_sid_from_sid(request.sid, "/") in server.environ


#: The most rooms a connection joins as it opens; a page follows a handful.
MAX_ROOMS_ON_CONNECTING = 8
#: The event that carries the answer to each room joined as the connection opened.
JOIN_ANSWER = "join_answer"


def _join_on_connecting(auth) -> None:
    """The rooms a page follows, named in its connection's ``auth`` (``{"rooms": [{"room":
    ..., "since": ...}]}``, live.js), are joined as the connection opens: each is answered by
    a ``join_answer`` event carrying what a ``join`` would have answered, sent before the
    connection's acknowledgement (the client holds it until then). A phone reconnecting gets
    its rooms' state one round trip sooner, and the server handles one event fewer per
    connection: after a restart, two thousand of them."""
    if not isinstance(auth, dict) or not payload_fits(auth):
        return
    rooms = auth.get("rooms")
    if not isinstance(rooms, list):
        return
    for wanted in rooms[:MAX_ROOMS_ON_CONNECTING]:
        try:
            with force_locale(connection_locale()):
                answer = _answer(join_room_followed, (wanted,), UNREADABLE)
        except Exception as error:  # noqa: BLE001  (answered as a failed join event is)
            answer = failed_event(error)
        if answer is None:
            return  # gone meanwhile
        room = wanted.get("room") if isinstance(wanted, dict) else None
        # To this connection only: no other process has it.
        socketio.emit(JOIN_ANSWER, {"room": room, "reply": answer}, to=request.sid,
                      ignore_queue=True)


#: Changes a little older than a client's ``since`` are sent again: server processes' clocks
#: may differ slightly, and a change sent twice is applied once.
SINCE_MARGIN = timedelta(seconds=5)


def parse_since(value: object) -> datetime | None:
    """The ``since`` of a join (an ISO 8601 time the server gave), or None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment - SINCE_MARGIN


def join_room_followed(payload: dict) -> dict | None:
    """A room joined on the client's asking (a ``join`` event, or a room named as it
    connected): the answer, with the room's state where it has one; None when the
    connection went meanwhile."""
    room = payload.get("room")
    if not may_follow(current_user, room):
        return refusal(_("You may not follow this room."), "not_allowed")
    now = datetime.now(UTC).isoformat()
    try:
        join_room(room)
    except (KeyError, ValueError):
        return None  # disconnected meanwhile: python-socketio no longer knows the connection
    if _counted(room):
        _counted_rooms().add(room)
        count = presence.enter(room, request.sid, current_user.id)
        if not still_connected():
            # Gone while entering: the disconnection may have counted it out already.
            _connections.pop(request.sid, None)
            count = presence.leave(room, request.sid)
        socketio.emit("presence", {"room": room, "count": count}, to=room)
    kind, identifier = parse_room(room)
    if kind in ROOM_SNAPSHOTS:
        # A client joining, or joining again after a reconnect or a resync, gets the current
        # state: what changed since it last joined.
        state = ROOM_SNAPSHOTS[kind](identifier, parse_since(payload.get("since")))
        return {"ok": True, "room": room, "now": now, "state": state}
    return {"ok": True, "room": room, "now": now}


client_event("join")(join_room_followed)


@client_event("leave")
def leave(payload: dict) -> dict:
    room = payload.get("room")
    if parse_room(room) is None:
        return refusal(_("There is no such room."), "no_room")
    leave_room(room)
    if room in _counted_rooms():
        _counted_rooms().discard(room)
        socketio.emit("presence", {"room": room, "count": presence.leave(room, request.sid)},
                      to=room)
    return {"ok": True, "room": room}


@socketio.on("disconnect")
def disconnect(reason=None):
    remembered = _connections.pop(request.sid, {})
    for room in remembered.get("counted_rooms", set()):
        socketio.emit("presence", {"room": room, "count": presence.leave(room, request.sid)},
                      to=room)


@access_depends_on(SignIn)
def _sign_in_concerns(sign_in: SignIn) -> list[int]:
    """A device signed out, or every device of an account after a password change or reset:
    its connections are disconnected."""
    return [sign_in.user_id]


@access_depends_on(User)
def _account_concerns(user: User) -> list[int]:
    """An account deleted or anonymised, or its administrator right given or taken away: that
    person; not a name changed or a sign-in recorded."""
    changed_right = inspect(user).attrs.is_admin.history.has_changes()
    return [user.id] if user in db.session.deleted or changed_right else []
