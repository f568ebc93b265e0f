"""Votes over Socket.IO: acknowledgements, refusals, coalesced tallies, resync on rejoin."""

import pytest
from sqlalchemy import select

from consultations.models import RegistrationStatus, Role
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import end_sign_ins_of
from recommendations import drafting, voting
from recommendations.live import tallies
from recommendations.models import Vote
from tests.conftest import sign_in, submit


@pytest.fixture
def live_round(session, make_consultation, make_user, register):
    consultation = make_consultation()
    facilitator = make_user(email="facilitator@example.org")
    register(facilitator, consultation, Role.facilitator)
    register(make_user(email="rapporteur@example.org"), consultation, Role.rapporteur)
    register(make_user(email="observer@example.org"), consultation, Role.observer)
    for number in range(30):
        group = (StakeholderGroup.red_cross, StakeholderGroup.member_state)[number % 2]
        register(make_user(email=f"p{number}@example.org", stakeholder_group=group,
                           name=f"Voter named {number}"), consultation, Role.participant)
    recommendation = drafting.create_recommendation(
        consultation, facilitator, title="R", text="Share the data.")
    round_ = voting.open_round(recommendation, facilitator)
    session.flush()
    return round_


def voter(app, connect_socket, email, room=None):
    browser = app.test_client()
    sign_in(browser, email)
    socket = connect_socket(browser)
    if room:
        assert socket.emit("join", {"room": room}, callback=True)["ok"]
    return socket


def test_a_vote_is_acknowledged_with_its_seq_and_a_change_replaces_it(
    app, connect_socket, live_round
):
    socket = voter(app, connect_socket, "p0@example.org")

    first = socket.emit("cast_vote", {"round_id": live_round.id, "choice": "support"},
                        callback=True)
    second = socket.emit("cast_vote", {"round_id": live_round.id, "choice": "oppose"},
                         callback=True)

    assert first["ok"] and second["ok"]
    assert first["vote_id"] == second["vote_id"]
    assert (first["seq"], second["seq"]) == (1, 2)
    assert voting.tally(live_round).devices.oppose == 1


@pytest.mark.parametrize("payload, code", [
    ({"round_id": 0, "choice": "support"}, "no_round"),
    ({"round_id": 2**70, "choice": "support"}, "no_round"),
    ({"round_id": "1", "choice": "support"}, "invalid_payload"),
    ({"choice": "support"}, "invalid_payload"),
    ({"round_id": None, "choice": ["support"]}, "invalid_payload"),
    ("support", "invalid_payload"),
])
def test_malformed_votes_are_refused_with_a_reason(app, connect_socket, live_round, payload,
                                                   code):
    socket = voter(app, connect_socket, "p0@example.org")

    answer = socket.emit("cast_vote", payload, callback=True)

    assert answer["ok"] is False and answer["code"] == code and answer["error"]


def test_an_invalid_choice_an_observer_and_a_huge_reservation_are_refused(
    app, connect_socket, live_round
):
    participant = voter(app, connect_socket, "p0@example.org")
    observer = voter(app, connect_socket, "observer@example.org")

    bad_choice = participant.emit("cast_vote", {"round_id": live_round.id, "choice": "maybe"},
                                  callback=True)
    huge = participant.emit("cast_vote", {"round_id": live_round.id,
                                          "choice": "support_with_reservations",
                                          "reservation": "x" * 100_000}, callback=True)
    watching = observer.emit("cast_vote", {"round_id": live_round.id, "choice": "support"},
                             callback=True)

    assert bad_choice["code"] == "invalid_choice"
    assert huge["code"] == "invalid_payload"
    assert watching["code"] == "not_eligible"
    assert voting.tally(live_round).voters == 0


def test_a_closed_round_says_the_vote_was_not_counted(app, connect_socket, live_round):
    socket = voter(app, connect_socket, "p0@example.org")
    voting.close_round(live_round, live_round.consultation.registrations[0].user, confirmed=True)

    answer = socket.emit("cast_vote", {"round_id": live_round.id, "choice": "support"},
                         callback=True)

    assert answer == {"ok": False, "code": "round_closed",
                      "error": "This vote is closed: your vote was not counted."}


def test_many_votes_make_one_tally_push_that_counts_them_all(app, connect_socket, live_round):
    room = f"round:{live_round.id}"
    screen = voter(app, connect_socket, "observer@example.org", room)
    screen.get_received()
    for number in range(30):
        socket = voter(app, connect_socket, f"p{number}@example.org")
        assert socket.emit("cast_vote", {"round_id": live_round.id,
                                         "choice": ("support", "oppose")[number % 2]},
                           callback=True)["ok"]

    assert [p for p in screen.get_received() if p["name"] == "tally"] == []
    tallies.flush()
    tallies.flush()

    pushes = [p["args"][0] for p in screen.get_received() if p["name"] == "tally"]
    assert len(pushes) == 1
    assert pushes[0]["seq"] == 30
    assert pushes[0]["counts"]["support"] == pushes[0]["counts"]["oppose"] == 15
    assert pushes[0]["by_stakeholder_group"] is None, "no breakdown while the round is open"
    assert "Voter named" not in str(pushes[0])


def test_rejoining_gives_the_rounds_state_the_tally_and_ones_own_vote(
    app, connect_socket, live_round
):
    socket = voter(app, connect_socket, "p3@example.org")
    socket.emit("cast_vote", {"round_id": live_round.id, "choice": "abstain"}, callback=True)
    socket.disconnect()

    again = voter(app, connect_socket, "p3@example.org")
    answer = again.emit("join", {"room": f"round:{live_round.id}"}, callback=True)

    state = answer["state"]
    assert state["open"] is True
    assert state["reference"] == "R1"
    assert state["tally"]["counts"]["abstain"] == 1
    assert state["your_vote"] == {"choice": "abstain", "reservation": None, "seq": 1}


def test_no_one_votes_for_someone_else(app, connect_socket, live_round):
    socket = voter(app, connect_socket, "p0@example.org")

    socket.emit("cast_vote", {"round_id": live_round.id, "choice": "support",
                              "registration_id": 999, "user_id": 1}, callback=True)

    votes = voting.tally(live_round)
    assert votes.voters == 1
    again = voter(app, connect_socket, "p0@example.org")
    state = again.emit("join", {"room": f"round:{live_round.id}"}, callback=True)["state"]
    assert state["your_vote"]["choice"] == "support"


def test_a_round_closes_by_itself_at_its_deadline(app, connect_socket, live_round, session):
    watcher = voter(app, connect_socket, "observer@example.org", f"round:{live_round.id}")
    voting.cast_vote(live_round, live_round.consultation.registrations[4].user, "support")
    live_round.closes_at = live_round.opened_at
    live_round.quorum = 1
    session.flush()
    watcher.get_received()

    tallies.close_past_deadline()

    session.refresh(live_round)
    assert live_round.closed_at is not None
    assert live_round.adopted is True
    closed = [p["args"][0] for p in watcher.get_received() if p["name"] == "round_closed"]
    assert closed and closed[0]["adopted"] is True


def test_a_voter_declined_after_a_first_vote_cannot_vote_again_on_the_same_connection(
    app, connect_socket, live_round, session
):
    socket = voter(app, connect_socket, "p0@example.org")
    assert socket.emit("cast_vote", {"round_id": live_round.id, "choice": "support"},
                       callback=True)["ok"]
    registration = next(r for r in live_round.consultation.registrations
                        if r.user.email == "p0@example.org")
    registration.status = RegistrationStatus.declined
    session.flush()

    answer = socket.emit("cast_vote", {"round_id": live_round.id, "choice": "oppose"},
                         callback=True)

    assert answer["ok"] is False and answer["code"] == "no_round"
    assert voting.tally(live_round).devices.support == 1


def test_a_voter_signed_out_elsewhere_cannot_vote_on_an_old_connection(
    app, connect_socket, live_round, session
):
    socket = voter(app, connect_socket, "p0@example.org")
    assert socket.emit("cast_vote", {"round_id": live_round.id, "choice": "support"},
                       callback=True)["ok"]
    user = next(r.user for r in live_round.consultation.registrations
                if r.user.email == "p0@example.org")
    end_sign_ins_of(user)   # as a password change does
    session.flush()

    answer = socket.emit("cast_vote", {"round_id": live_round.id, "choice": "oppose"},
                         callback=True)

    assert answer["ok"] is False and answer["code"] == "not_eligible"
    assert voting.tally(live_round).devices.oppose == 0


def test_a_vote_on_a_connection_opened_before_signing_out_is_not_counted(
    app, connect_socket, live_round
):
    browser = app.test_client()
    sign_in(browser, "p0@example.org")
    socket = connect_socket(browser)
    assert socket.emit("cast_vote", {"round_id": live_round.id, "choice": "support"},
                       callback=True)["ok"]

    submit(browser, "/account/sign-out", {}, form_path="/")
    answer = socket.emit("cast_vote", {"round_id": live_round.id, "choice": "oppose"},
                         callback=True)

    assert answer["ok"] is False and answer["code"] == "not_eligible"
    assert voting.tally(live_round).devices.oppose == 0


def test_a_reservation_is_stored_as_plain_text_or_refused(app, connect_socket, live_round,
                                                          session):
    socket = voter(app, connect_socket, "p0@example.org")

    def vote(reservation):
        return socket.emit("cast_vote", {"round_id": live_round.id,
                                         "choice": "support_with_reservations",
                                         "reservation": reservation}, callback=True)

    nul = vote("Subject to\x00 the law.")
    surrogate = vote("Subject to \ud800 the law.")
    stored = vote("Subject to the law.\r\nAnd to the budget.")

    assert nul["code"] == "invalid_choice"
    assert nul["error"] == "Remove the invisible control characters from your reservation."
    assert surrogate["code"] == "invalid_payload"
    assert stored["ok"]
    assert session.scalars(select(Vote.reservation)).one() == \
        "Subject to the law.\nAnd to the budget."


def test_every_connection_of_a_voter_hears_of_their_vote_and_no_one_else(
    app, connect_socket, live_round, session
):
    room = f"round:{live_round.id}"
    first_tab = voter(app, connect_socket, "p0@example.org", room)
    second_tab = voter(app, connect_socket, "p0@example.org")
    someone_else = voter(app, connect_socket, "p1@example.org", room)
    for socket in (first_tab, second_tab, someone_else):
        socket.get_received()

    answer = first_tab.emit("cast_vote", {"round_id": live_round.id,
                                          "choice": "support_with_reservations",
                                          "reservation": "Only with funding."}, callback=True)

    told = [packet["args"][0] for packet in second_tab.get_received()
            if packet["name"] == "your_vote"]
    assert told == [{"round_id": live_round.id, "choice": "support_with_reservations",
                     "reservation": "Only with funding.", "seq": answer["seq"]}]
    assert not [packet for packet in someone_else.get_received()
                if packet["name"] == "your_vote"]


def test_a_vote_sent_by_the_form_reaches_the_voters_live_pages(
    app, connect_socket, live_round, session
):
    browser = app.test_client()
    sign_in(browser, "p0@example.org")
    tab = connect_socket(browser)
    tab.get_received()
    path = f"/c/{live_round.consultation.slug}/recommendations/{live_round.recommendation_id}"

    response = submit(browser, f"/c/{live_round.consultation.slug}/rounds/{live_round.id}/vote",
                      {"choice": "abstain"}, form_path=path)

    assert response.status_code == 302
    told = [packet["args"][0] for packet in tab.get_received() if packet["name"] == "your_vote"]
    assert [vote["choice"] for vote in told] == ["abstain"]


def test_a_reservation_typed_with_a_bidi_override_is_kept_in_typed_order(
        app, connect_socket, live_round, session):
    socket = voter(app, connect_socket, "p0@example.org")

    answer = socket.emit("cast_vote", {"round_id": live_round.id,
                                       "choice": "support_with_reservations",
                                       "reservation": "Not \u202elive\u202c in law."},
                         callback=True)

    assert answer["ok"]
    assert session.scalars(select(Vote.reservation)).one() == "Not live in law."
