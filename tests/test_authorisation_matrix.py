"""Every route and every Socket.IO event, against every kind of user: who gets in, who is
refused, and that a refused request changes nothing.

The table below is the expected outcome, one entry per endpoint, written with the rules of
portal/permissions.py. The cases are generated from ``app.url_map`` and the handlers
registered on ``portal.extensions.socketio``: a route or event without an entry fails, and so
does an entry for a route or event that is gone. A new route needs one line in ``ROUTES``.
"""

from dataclasses import dataclass, field, replace

import pytest
from flask import url_for

from portal import create_app, live
from portal.extensions import socketio
from tests.authorisation_world import (  # noqa: F401  (fixtures)
    KINDS,
    client_as,
    database_digest,
    socket_client_as,
    world_app,
    world_session,
)
from tests.conftest import suite_settings

#: Outcomes: let in; refused (403); hidden (404); sent to sign in; 401 from the JSON API.
ALLOW, DENY, HIDE, SIGN_IN, UNAUTHORISED = "allow", "deny", "hide", "sign in", "401"


@dataclass(frozen=True)
class Rule:
    """Who is let in; everyone else gets ``refused``, the anonymous visitor ``anonymous``."""

    name: str
    allowed: frozenset[str]
    refused: str = DENY
    anonymous: str = SIGN_IN
    overrides: dict[str, str] = field(default_factory=dict)

    def but(self, **changes) -> "Rule":
        """The same rule with other outcomes for some kinds of user (``refused``,
        ``anonymous``, or a kind's name)."""
        own = {key: changes.pop(key) for key in ("refused", "anonymous") if key in changes}
        return replace(self, overrides={**self.overrides, **changes}, **own)

    def outcome(self, kind: str) -> str:
        if kind in self.overrides:
            return self.overrides[kind]
        if kind == "anonymous":
            return ALLOW if kind in self.allowed else self.anonymous
        return ALLOW if kind in self.allowed else self.refused


def rule(name: str, *kinds: str, **changes) -> Rule:
    assert set(kinds) <= set(KINDS), name
    return Rule(name, frozenset(kinds)).but(**changes)


# The rules, from portal/permissions.py, for the world of tests/authorisation_world.py.
PUBLIC = rule("PUBLIC", *KINDS)
SIGNED_IN = rule("SIGNED_IN", *KINDS[1:])
#: Anyone with a registration in the consultation, approved or not.
REGISTERED = rule("REGISTERED", "pending", "other_breakout", "participant", "observer",
                  "translator", "rapporteur", "facilitator", "secretariat")
#: may_read_discussions, may_follow_votes: approved roles and admins.
ADMITTED = rule("ADMITTED", "other_breakout", "participant", "observer", "translator",
                "rapporteur", "facilitator", "secretariat", "admin")
#: may_read_breakout / may_read_thread for Group 1 (the participant's group).
GROUP_READERS = rule("GROUP_READERS", "participant", "observer", "rapporteur", "facilitator",
                     "secretariat", "admin")
#: may_write_in_thread for Group 1's thread.
GROUP_WRITERS = rule("GROUP_WRITERS", "participant", "rapporteur", "facilitator")
#: may_comment, may_propose_amendments.
SPEAKERS = rule("SPEAKERS", "other_breakout", "participant", "rapporteur", "facilitator")
#: Who chooses their breakout group (breakouts.MEMBER_ROLES).
MEMBERS = rule("MEMBERS", "other_breakout", "participant", "rapporteur")
#: may_vote.
VOTERS = rule("VOTERS", "other_breakout", "participant", "rapporteur")
#: may_draft_recommendations.
DRAFTERS = rule("DRAFTERS", "rapporteur", "facilitator")
#: may_edit_consultation, may_moderate, may_manage_registrations.
FACILITATORS = rule("FACILITATORS", "facilitator", "admin")
#: may_run_votes (and merging, which needs may_moderate and may_draft_recommendations).
CHAIR = rule("CHAIR", "facilitator")
#: may_view_registrations, may_check_in, may_compile_outcome; may_appoint_roles (the
#: secretariat appoints translators).
ORGANISERS = rule("ORGANISERS", "facilitator", "secretariat", "admin")
#: may_translate, may_translate_consultation_texts: the organisers and the translators.
TRANSLATORS = rule("TRANSLATORS", "translator", "facilitator", "secretariat", "admin")
#: may_write_breakout_summary for Group 1, whose rapporteur is the rapporteur.
SUMMARY_WRITERS = rule("SUMMARY_WRITERS", "rapporteur", "facilitator", "secretariat", "admin")
#: may_create_consultation.
CREATORS = rule("CREATORS", "other_facilitator", "facilitator", "admin")
ADMIN = rule("ADMIN", "admin")
NOBODY = rule("NOBODY")
#: The author of the world's comment and of its open amendment.
AUTHOR = rule("AUTHOR", "participant")
#: The JSON API answers 401 to the anonymous, 403 to the signed-in not admitted.
API = ADMITTED.but(anonymous=UNAUTHORISED)
#: may_create_review: the secretariat of a consultation, admins.
REVIEW_CREATORS = rule("REVIEW_CREATORS", "secretariat", "admin")
#: may_edit_review: the world's review's team (the consultation's secretariat), admins.
REVIEW_TEAM = rule("REVIEW_TEAM", "secretariat", "admin")
#: may_build_synthesis, may_open_silence_procedure: the review's team, as REVIEW_TEAM;
#: may_break_silence: the people of a validating State (Ghana's).
SILENCE_BREAKERS = rule("SILENCE_BREAKERS", "other_breakout")


ROUTES: dict[str, Rule | dict[str, Rule]] = {
    "accounts.change_password": SIGNED_IN,
    "accounts.confirm_sign_up": PUBLIC,
    "accounts.delete_account": SIGNED_IN,
    # may_lift_sign_in_lock on the participant: the facilitators of a consultation they are
    # registered in, and admins.
    "accounts.lift_sign_in_lock": FACILITATORS,
    # The world configures no identity provider: its sign-in routes are not found, for all.
    "accounts.openid_callback": NOBODY.but(refused=HIDE, anonymous=HIDE),
    "accounts.openid_start": NOBODY.but(refused=HIDE, anonymous=HIDE),
    # Without a provider's answer waiting, it sends to the sign-in page (or home, signed in).
    "accounts.openid_new_account": PUBLIC,
    "accounts.personal_data": SIGNED_IN,
    "accounts.profile": SIGNED_IN,
    "accounts.request_password_reset": PUBLIC,
    "accounts.request_sign_in_link": PUBLIC,
    "accounts.reset_password": PUBLIC,
    "accounts.sign_in": PUBLIC,
    "accounts.sign_in_with_link": PUBLIC,
    "accounts.sign_out": PUBLIC,
    "accounts.sign_up": PUBLIC,
    "accounts.sign_up_sent": PUBLIC,
    "audit.consultation_events": FACILITATORS,
    "audit.events": ADMIN,
    "consultations.add_thread": FACILITATORS,
    # The world's consultation is live: anyone sees its agenda (a draft's is hidden, as the
    # consultation is: tests/test_calendar.py).
    "consultations.agenda_calendar": PUBLIC,
    # The world's feed address is not a token: not found for everyone, signed in or not.
    "consultations.personal_calendar": NOBODY.but(refused=HIDE, anonymous=HIDE),
    "consultations.my_calendar": SIGNED_IN,
    "consultations.renew_calendar": SIGNED_IN,
    "consultations.stop_calendar": SIGNED_IN,
    "consultations.assignment": FACILITATORS,
    "consultations.breakout_group": GROUP_READERS,
    "consultations.cancel_registration": REGISTERED.but(refused=HIDE),
    "consultations.change_status": FACILITATORS,
    "consultations.check_in": ORGANISERS,
    "consultations.attendance_pdf": ORGANISERS,
    "consultations.badge": ORGANISERS,
    "consultations.badges_pdf": ORGANISERS,
    "consultations.check_in_by_badge": ORGANISERS,
    "consultations.choose_group": MEMBERS,
    "consultations.decide": FACILITATORS,
    "consultations.delete_comment": AUTHOR,
    "consultations.dismiss_flags": FACILITATORS,
    "consultations.edit_agenda_item": FACILITATORS,
    "consultations.edit_breakout_group": FACILITATORS,
    "consultations.edit_comment": AUTHOR,
    "consultations.edit_consultation": FACILITATORS,
    "consultations.export_registrations": ORGANISERS,
    "consultations.export_registrations_xlsx": ORGANISERS,
    # Flagging needs a role in the consultation: an admin without one moderates instead.
    "consultations.flag_comment": GROUP_READERS.but(admin=DENY),
    "consultations.hide_comment": FACILITATORS,
    "consultations.index": PUBLIC,
    "consultations.invitations": FACILITATORS,
    "consultations.manage": FACILITATORS,
    "consultations.mark_present": ORGANISERS,
    "consultations.walk_in": ORGANISERS,
    "consultations.moderation": FACILITATORS,
    "consultations.move_participant": FACILITATORS,
    # Without a registration, the page sends to the registration form.
    "consultations.my_registration": SIGNED_IN,
    "consultations.new_agenda_item": FACILITATORS,
    "consultations.new_breakout_group": FACILITATORS,
    "consultations.new_consultation": CREATORS,
    "consultations.plenary": ADMITTED,
    "consultations.post_comment": GROUP_WRITERS,
    "consultations.propose_assignment": FACILITATORS,
    "consultations.publish_assignment": FACILITATORS,
    "consultations.questions": FACILITATORS,
    # The consultation is live: registration is closed (403, for the anonymous too); the
    # registered are sent to their registration.
    "consultations.register": REGISTERED.but(anonymous=DENY),
    "consultations.registrations": ORGANISERS,
    "consultations.remove_agenda_item": FACILITATORS,
    "consultations.remove_question": FACILITATORS,
    "consultations.restore_comment": FACILITATORS,
    "consultations.send_invitations": FACILITATORS,
    "consultations.show": PUBLIC,
    "consultations.team": ORGANISERS,
    "consultations.translate_texts": TRANSLATORS,
    "consultations.thread": GROUP_READERS,
    "favicon": PUBLIC,
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    "language.choose_language": PUBLIC,
    "outcome.breakout_summary": SUMMARY_WRITERS,
    "outcome.compile_document": ORGANISERS,
    "outcome.cover": ORGANISERS,
    # The world's outcome document is a draft: those who compile read it, nobody else.
    "outcome.download": ORGANISERS,
    "outcome.download_pdf": ORGANISERS,
    "outcome.index": ADMITTED,
    "outcome.listing": REGISTERED.but(refused=HIDE),
    "outcome.mark_final": ORGANISERS,
    "outcome.preview": ORGANISERS,
    "outcome.texts": ORGANISERS,
    "outcome.translate": TRANSLATORS,
    "outcome.translate_amendment": TRANSLATORS,
    "outcome.translations": TRANSLATORS,
    "outcome.version": ORGANISERS,
    "outcome.version_csv": ORGANISERS,
    "outcome.version_json": ORGANISERS,
    "outcome.version_xlsx": ORGANISERS,
    "recommendations.api_recommendations": API,
    "recommendations.api_round": API,
    "recommendations.close_round": CHAIR,
    "recommendations.console": CHAIR,
    "recommendations.decide_amendment": {
        "action=support": SPEAKERS, "action=accept": DRAFTERS, "action=reject": DRAFTERS,
        "action=withdraw": AUTHOR, "action=anything": NOBODY.but(refused=HIDE),
    },
    "recommendations.index": ADMITTED,
    "recommendations.merge": CHAIR,
    "recommendations.new": DRAFTERS,
    "recommendations.open_round": CHAIR,
    # may_reopen_rounds: the facilitators of a live consultation.
    "recommendations.reopen_round": CHAIR,
    "recommendations.projector": ADMITTED,
    "recommendations.propose_amendment": SPEAKERS,
    "recommendations.record_in_room": CHAIR,
    "recommendations.renumber": FACILITATORS,
    "recommendations.results": ADMITTED,
    "recommendations.results_csv": ADMITTED,
    "recommendations.results_json": ADMITTED,
    "recommendations.results_xlsx": ADMITTED,
    "recommendations.revise": DRAFTERS,
    "recommendations.show": ADMITTED,
    # Following the votes lets one post the vote form; the vote itself is for VOTERS.
    "recommendations.vote": ADMITTED,
    # The short address of the projector's QR code: sends everyone somewhere useful.
    "recommendations.vote_now": PUBLIC,
    "recommendations.api_description": PUBLIC,
    # Reviews: the world's review is public and holds the world's consultation.
    "reviews.index": PUBLIC,
    "reviews.show": PUBLIC,
    "reviews.new": REVIEW_CREATORS,
    "reviews.edit": REVIEW_TEAM,
    "reviews.team": REVIEW_TEAM,
    "reviews.remove_team_member": REVIEW_TEAM,
    # may_attach_consultation; may_detach_consultation adds the review's team.
    "reviews.consultation_reviews": ORGANISERS,
    "reviews.detach": ORGANISERS,
    # may_make_commitment: those admitted to the review's consultation, the team, admins.
    "reviews.new_commitment": ADMITTED,
    # may_report_progress on the participant's (Senegalese Red Cross Society) commitment: the
    # approved registrations of that organisation, the team, admins.
    "reviews.commitment": {"GET": PUBLIC, "POST": rule(
        "PROGRESS_REPORTERS", "participant", "observer", "translator", "rapporteur",
        "facilitator", "secretariat", "admin", anonymous=DENY)},
    "reviews.follow_up_page": PUBLIC,
    "reviews.export_commitments": {"file_format=csv": PUBLIC, "file_format=xlsx": PUBLIC},
    "reviews.set_reports_due_on": REVIEW_TEAM,
    "reviews.send_progress_reminders": REVIEW_TEAM,
    "reviews.api_reviews": PUBLIC,
    "reviews.api_commitments": PUBLIC,
    # The synthesis of the world's review and its silence procedure.
    "reviews.api_synthesis": PUBLIC,
    "reviews.break_silence": SILENCE_BREAKERS,
    "reviews.create_group": REVIEW_TEAM,
    "reviews.edit_group": REVIEW_TEAM,
    "reviews.merge_group": REVIEW_TEAM,
    "reviews.move_group": REVIEW_TEAM,
    "reviews.move_source": REVIEW_TEAM,
    "reviews.open_silence": REVIEW_TEAM,
    "reviews.save_version": REVIEW_TEAM,
    "reviews.silence_procedure": PUBLIC,
    "reviews.split_source": REVIEW_TEAM,
    "reviews.synthesis_document": PUBLIC,
    "reviews.synthesis_page": REVIEW_TEAM,
    "reviews.synthesis_version": PUBLIC,
    "reviews.synthesis_versions": PUBLIC,
}

#: URL arguments named differently from the world's ids, per blueprint.
ARGUMENTS = {"recommendations": {"round_id": "vote_round_id"},
             "reviews": {"group_id": "synthesised_id", "source_id": "synthesis_source_id",
                         "number": "synthesis_version", "procedure_id": "silence_procedure_id",
                         "extension": "synthesis_extension",
                         "direction": "synthesis_direction"}}
#: Form fields a POST carries besides its CSRF token (world ids by name), where an empty form
#: would not reach the view's decision.
FORMS = {"consultations.move_participant": {"registration": "registration_id"}}

SOCKET_EVENTS: dict[str, Rule] = {
    "connect": SIGNED_IN,
    "disconnect": SIGNED_IN,
    "join consultation": SIGNED_IN,
    "join group": GROUP_READERS,
    "join thread": GROUP_READERS,
    "join recommendation": ADMITTED,
    "join round": ADMITTED,
    "join round_console": CHAIR,
    "leave": SIGNED_IN,
    "cast_vote": VOTERS,
    # What a message nested too deep to decode becomes: answered invalid_payload for all.
    "$unreadable": NOBODY,
}


# The cases ------------------------------------------------------------------------------------

def _rules_of(value, method):
    """(variant, rule) pairs of a table entry for one HTTP method."""
    if isinstance(value, Rule):
        return [("", value)]
    if method in value:
        return [("", value[method])]
    return sorted(value.items())


def route_cases(app) -> list:
    cases = []
    for url_rule in app.url_map.iter_rules():
        if url_rule.endpoint == "static":
            continue
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            value = ROUTES.get(url_rule.endpoint)
            variants = _rules_of(value, method) if value is not None else [("", None)]
            for variant, expected in variants:
                for kind in KINDS:
                    name = f"{method} {url_rule.endpoint}{' ' + variant if variant else ''}"
                    cases.append(pytest.param(url_rule, method, variant, expected, kind,
                                              id=f"{name} as {kind}"))
    return cases


def socket_event_names() -> set[str]:
    names = set()
    for namespace, handlers in socketio.server.handlers.items():
        assert namespace == "/", f"handlers on namespace {namespace} are not in the matrix"
        for event in handlers:
            if event == "join":
                names.update(f"join {kind}" for kind in live.ROOM_KINDS)
            else:
                names.add(event)
    return names


#: An app made for its URL map and handlers only: the cases are generated when collected.
_APP = create_app(suite_settings("sqlite://"))


def test_every_route_is_in_the_table():
    endpoints = {url_rule.endpoint for url_rule in _APP.url_map.iter_rules()} - {"static"}
    missing = sorted(endpoints - set(ROUTES))
    gone = sorted(set(ROUTES) - endpoints)
    assert missing == [], f"routes with no entry in the authorisation matrix: {missing}"
    assert gone == [], f"entries in the authorisation matrix for routes that are gone: {gone}"


def test_every_socket_event_is_in_the_table():
    events = socket_event_names()
    missing = sorted(events - set(SOCKET_EVENTS))
    gone = sorted(set(SOCKET_EVENTS) - events)
    assert missing == [], f"socket events with no entry in the authorisation matrix: {missing}"
    assert gone == [], f"entries in the authorisation matrix for socket events that are gone: " \
                       f"{gone}"


# Routes ---------------------------------------------------------------------------------------

def _path(url_rule, variant: str, ids: dict) -> str:
    blueprint = url_rule.endpoint.partition(".")[0]
    names = {**ids, **{argument: ids[name]
                       for argument, name in ARGUMENTS.get(blueprint, {}).items()}}
    if variant:
        argument, _equals, value = variant.partition("=")
        names[argument] = value
    unknown = sorted(set(url_rule.arguments) - set(names))
    assert not unknown, f"{url_rule.rule}: no value for {unknown} in the world's ids " \
                        "(tests/authorisation_world.py) or in ARGUMENTS"
    values = {argument: names[argument] for argument in url_rule.arguments}
    with _APP.test_request_context():
        return url_for(url_rule.endpoint, **values, _external=False)


def outcome_of(response) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status in (301, 302, 303) and "/account/sign-in" in location \
            and "/account/sign-in" not in response.request.path:
        return SIGN_IN
    return {401: UNAUTHORISED, 403: DENY, 404: HIDE}.get(status, ALLOW)


@pytest.mark.parametrize(("url_rule", "method", "variant", "expected", "kind"),
                         route_cases(_APP))
def test_route(world_app, world_session, url_rule, method, variant, expected, kind):
    assert expected is not None, \
        f"{url_rule.endpoint} ({url_rule.rule}) has no entry in the authorisation matrix"
    ids = world_app.world.ids
    client, token = client_as(world_app, kind)
    path = _path(url_rule, variant, ids)
    wanted = expected.outcome(kind)
    if method == "GET":
        response = client.get(path)
    else:
        form = {field: ids[name] for field, name in FORMS.get(url_rule.endpoint, {}).items()}
        before = database_digest()
        response = client.post(path, data={**form, "csrf_token": token})
        if wanted != ALLOW:
            assert database_digest() == before, \
                f"{method} {path} as {kind} was refused but changed the database"
    assert response.status_code < 500, f"{method} {path} as {kind}: {response.status_code}"
    assert outcome_of(response) == wanted, \
        f"{method} {path} as {kind}: {response.status_code} " \
        f"{response.headers.get('Location', '')}, expected {wanted} ({expected.name})"


# Socket events --------------------------------------------------------------------------------

def _join_payload(event: str, ids: dict) -> dict:
    kind = event.partition(" ")[2]
    identifier = {"consultation": "consultation_id", "group": "group_id", "thread": "thread_id",
                  "recommendation": "recommendation_id", "round": "vote_round_id",
                  "round_console": "vote_round_id"}[kind]
    return {"room": f"{kind}:{ids[identifier]}"}


@pytest.mark.parametrize(("event", "kind"), [
    pytest.param(event, kind, id=f"{event} as {kind}")
    for event in sorted(SOCKET_EVENTS) for kind in KINDS])
def test_socket_event(world_app, world_session, monkeypatch, event, kind):
    ids = world_app.world.ids
    wanted = SOCKET_EVENTS[event].outcome(kind)
    client, _token = client_as(world_app, kind)
    before = database_digest()
    connection = socket_client_as(world_app, client, monkeypatch)
    if kind == "anonymous":
        assert not connection.is_connected(), "an anonymous connection was accepted"
        assert wanted == SIGN_IN
        return
    assert connection.is_connected()
    if event == "connect":
        outcome = ALLOW
    elif event == "disconnect":
        connection.disconnect()
        outcome = ALLOW if not connection.is_connected() else DENY
    elif event.startswith("join "):
        answer = connection.emit("join", _join_payload(event, ids), callback=True)
        outcome = ALLOW if answer["ok"] else DENY
        if not answer["ok"]:
            assert answer == {"ok": False, "code": "not_allowed",
                              "error": "You may not follow this room."}
    elif event == "leave":
        room = f"consultation:{ids['consultation_id']}"
        connection.emit("join", {"room": room}, callback=True)
        answer = connection.emit("leave", {"room": room}, callback=True)
        outcome = ALLOW if answer == {"ok": True, "room": room} else DENY
    elif event == "cast_vote":
        answer = connection.emit("cast_vote", {"round_id": ids["vote_round_id"],
                                               "choice": "support"}, callback=True)
        outcome = ALLOW if answer["ok"] else DENY
        if not answer["ok"]:
            assert answer["code"] in {"not_eligible", "no_round"}, answer
            assert database_digest() == before, f"a refused vote by {kind} changed the database"
    elif event == "$unreadable":
        answer = connection.emit(event, callback=True)
        outcome = ALLOW if answer["ok"] else DENY
        assert answer["code"] == "invalid_payload"
    else:
        pytest.fail(f"the matrix does not know how to send {event}: add it to this test")
    if connection.is_connected():
        connection.disconnect()
    assert outcome == wanted, f"{event} as {kind}: {outcome}, expected {wanted}"


def test_the_digest_sees_what_an_allowed_post_changes(world_app, world_session):
    """The check that refused requests change nothing would pass vacuously otherwise."""
    ids = world_app.world.ids
    client, token = client_as(world_app, "participant")
    before = database_digest()
    response = client.post(f"/c/{ids['slug']}/comments/{ids['comment_id']}/delete",
                           data={"csrf_token": token})
    assert response.status_code == 302
    assert database_digest() != before
