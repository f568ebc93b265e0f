"""Whoever loses the right to follow a live room stops receiving it at once: a registration
cancelled or declined, a place moved to another breakout group, a role lost, a password changed
elsewhere. Across processes: tests/test_redis_outage.py and tests/test_live_servers.py."""

import time

import pytest
from sqlalchemy import select

from consultations import breakouts, discussion, registrations
from consultations.models import AgendaItem, AgendaItemKind, Role, Thread
from consultations.operations import add_breakout_group
from portal.accounts.operations import end_sign_ins_of
from portal.extensions import socketio
from portal.live import broadcast_after_commit, followers_check
from recommendations import drafting, voting
from tests.conftest import csrf_token_from, sign_in


@pytest.fixture
def day(session, make_consultation, make_user, register):
    """A live consultation: groups A (p1, p2) and B (p3) published, a chair who facilitates,
    and an open vote."""
    consultation = make_consultation()
    chair = make_user(email="chair@example.org")
    register(chair, consultation, Role.facilitator)
    round_ = AgendaItem(consultation=consultation, kind=AgendaItemKind.breakout_round,
                        title="Round 1", starts_at=consultation.starts_at,
                        ends_at=consultation.ends_at)
    session.add(round_)
    session.flush()
    group_a = add_breakout_group(round_, chair, name="Search", guiding_questions=["Who?"])
    group_b = add_breakout_group(round_, chair, name="Families", guiding_questions=["How?"])
    people = {}
    for name, group in (("p1", group_a), ("p2", group_a), ("p3", group_b)):
        user = make_user(email=f"{name}@example.org", name=f"Person {name}")
        people[name] = register(user, consultation, Role.participant)
        breakouts.move(round_, people[name], group, chair)
    second_chair = make_user(email="cochair@example.org")
    people["cochair"] = register(second_chair, consultation, Role.facilitator)
    breakouts.publish(round_, chair)
    threads = {group: session.scalars(select(Thread).where(
        Thread.breakout_group_id == group.id)).one() for group in (group_a, group_b)}
    recommendation = drafting.create_recommendation(consultation, chair, title="Contact points",
                                                    text="Each State names one.")
    vote = voting.open_round(recommendation, chair)
    session.commit()
    return {"consultation": consultation, "round": round_, "groups": (group_a, group_b),
            "threads": threads, "people": people, "chair": chair, "vote": vote}


def follower(app, connect_socket, email, rooms):
    browser = app.test_client()
    sign_in(browser, email)
    socket = connect_socket(browser)
    for room in rooms:
        assert socket.emit("join", {"room": room}, callback=True)["ok"], room
    socket.get_received()
    return socket


def receives(socket, room: str) -> bool:
    """Whether the connection still gets what is sent to ``room``."""
    socketio.emit("probe", {"room": room}, to=room)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if any(packet["name"] == "probe" and packet["args"][0]["room"] == room
               for packet in socket.get_received()):
            return True
        time.sleep(0.02)
    return False


def comment_reaches(socket, session, thread, author) -> bool:
    comment = discussion.post_comment(thread, author, "Said after the change")
    broadcast_after_commit("comment_created", discussion.live_payload(comment),
                           f"thread:{thread.id}")
    session.commit()
    return any(packet["name"] == "comment_created" for packet in socket.get_received())


def rooms_of(day, group) -> list[str]:
    return [f"thread:{day['threads'][group].id}", f"round:{day['vote'].id}",
            f"consultation:{day['consultation'].id}"]


@pytest.mark.parametrize("change", ["cancelled", "declined"])
def test_a_participant_no_longer_admitted_stops_receiving_threads_and_tallies(
    app, connect_socket, session, day, change
):
    group_a, _group_b = day["groups"]
    thread_room, round_room, consultation_room = rooms_of(day, group_a)
    socket = follower(app, connect_socket, "p2@example.org", rooms_of(day, group_a))
    registration = day["people"]["p2"]

    if change == "cancelled":
        registrations.cancel(registration, registration.user)
    else:
        registrations.decline(registration, day["chair"])
    session.commit()
    followers_check.flush()

    assert not comment_reaches(socket, session, day["threads"][group_a],
                               day["people"]["p1"].user)
    assert not receives(socket, thread_room)
    assert not receives(socket, round_room)
    # The consultation's own room is public: the person may still follow it.
    assert receives(socket, consultation_room)
    assert socket.is_connected()
    socket.disconnect()


def test_a_participant_moved_to_another_group_leaves_the_old_groups_threads_only(
    app, connect_socket, session, day
):
    group_a, group_b = day["groups"]
    thread_room, round_room, _consultation = rooms_of(day, group_a)
    socket = follower(app, connect_socket, "p2@example.org", rooms_of(day, group_a))

    breakouts.move(day["round"], day["people"]["p2"], group_b, day["chair"])
    session.commit()
    followers_check.flush()

    assert not comment_reaches(socket, session, day["threads"][group_a],
                               day["people"]["p1"].user)
    assert receives(socket, round_room)
    assert socket.emit("join", {"room": f"thread:{day['threads'][group_b].id}"},
                       callback=True)["ok"]
    socket.disconnect()


def test_a_facilitator_who_becomes_a_participant_leaves_the_other_groups_threads(
    app, connect_socket, session, day
):
    group_a, group_b = day["groups"]
    socket = follower(app, connect_socket, "cochair@example.org",
                      [f"thread:{day['threads'][group_b].id}"])
    registration = day["people"]["cochair"]
    breakouts.move(day["round"], registration, group_a, day["chair"])
    session.commit()
    followers_check.flush()
    assert receives(socket, f"thread:{day['threads'][group_b].id}")

    registration.role = Role.participant
    session.commit()
    followers_check.flush()

    assert not receives(socket, f"thread:{day['threads'][group_b].id}")
    socket.disconnect()


def test_a_password_changed_elsewhere_disconnects_the_old_connections(
    app, connect_socket, session, day
):
    group_a, _group_b = day["groups"]
    socket = follower(app, connect_socket, "p2@example.org", rooms_of(day, group_a))
    other = follower(app, connect_socket, "p1@example.org", rooms_of(day, group_a))

    end_sign_ins_of(day["people"]["p2"].user)  # as a password change elsewhere does
    session.commit()
    followers_check.flush()

    assert not socket.is_connected()
    assert other.is_connected() and receives(other, rooms_of(day, group_a)[0])
    other.disconnect()


def test_signing_out_disconnects_the_connections_of_that_device_only(
    app, connect_socket, session, day
):
    group_a, _group_b = day["groups"]
    laptop, phone = app.test_client(), app.test_client()
    sockets = {}
    for name, browser in (("laptop", laptop), ("phone", phone)):
        sign_in(browser, "p2@example.org")
        sockets[name] = connect_socket(browser)
        assert sockets[name].emit("join", {"room": rooms_of(day, group_a)[0]},
                                  callback=True)["ok"]

    page = laptop.get("/account/profile").get_data(as_text=True)
    laptop.post("/account/sign-out", data={"csrf_token": csrf_token_from(page)})
    followers_check.flush()

    assert not sockets["laptop"].is_connected()
    assert sockets["phone"].is_connected()
    assert receives(sockets["phone"], rooms_of(day, group_a)[0])
    sockets["phone"].disconnect()


def test_a_change_that_takes_nothing_away_leaves_the_rooms_as_they_were(
    app, connect_socket, session, day
):
    group_a, _group_b = day["groups"]
    socket = follower(app, connect_socket, "p2@example.org", rooms_of(day, group_a))

    registrations.check_in(day["people"]["p2"], day["chair"])
    session.commit()
    followers_check.flush()

    assert all(receives(socket, room) for room in rooms_of(day, group_a))
    socket.disconnect()


def test_an_administrator_whose_right_is_taken_away_loses_what_only_the_right_gave(
    app, connect_socket, session, day, make_user
):
    """A connection answers as the person it signed in as: the right taken away reaches it at
    once, not at its next sign-in."""
    administrator = make_user(email="admin@example.org", is_admin=True)
    session.commit()
    round_room = f"round:{day['vote'].id}"
    socket = follower(app, connect_socket, "admin@example.org", [round_room])

    followers_check.flush()   # the checks the day's own changes asked for

    administrator.is_admin = False
    session.commit()
    followers_check.flush()

    assert not receives(socket, round_room)
    answer = socket.emit("join", {"room": round_room}, callback=True)
    assert answer["ok"] is False and answer["code"] == "not_allowed"
    assert socket.is_connected()
    socket.disconnect()
