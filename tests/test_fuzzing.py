"""The forms and the Socket.IO events fed random and hostile input (hypothesis): unicode,
right-to-left marks, NUL and control characters, bytes that are not UTF-8, HTML, SQL, strings
of 10^5 and 10^6 characters, repeated, missing and extra fields, payloads of the wrong type.

Whatever comes in: no 500, no exception in a socket handler, and no garbage stored. A refused
submission stores nothing; what an accepted one stores holds no control character other than
newline and tab and keeps within its column's length.

The examples are derived from a fixed seed (``derandomize``) so CI is reproducible;
``FUZZ_EXAMPLES`` sets how many per form and event (25 by default) for a longer run by hand.
"""

import logging
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, select

from consultations.models import Consultation, ConsultationStatus
from portal.accounts.operations import password_reset_token
from portal.extensions import db
from tests.authorisation_world import (  # noqa: F401  (fixtures)
    client_as,
    socket_client_as,
    world_app,
    world_transaction,
)
from tests.conftest import PASSWORD

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")), derandomize=True, database=None,
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.large_base_example,
                                          HealthCheck.function_scoped_fixture])

#: Characters a stored text may hold below U+0020.
ALLOWED_CONTROLS = {"\n", "\t"}
#: Stored texts without a declared length stay below the longest form limit (50,000).
LONGEST_TEXT = 50_000
#: Columns that hold what the portal made, not what someone typed.
NOT_TYPED = {"password_hash", "token_hash", "sha256", "file", "data", "csv"}

# Hostile input --------------------------------------------------------------------------------

SAMPLES = [
    "", " ", "\x00", "a\x00b", "\x01\x02\x1b[31m\x7f", "\u202eevil\u202c", "\u200f\u200e\u061c",
    "\u2028\u2029", "\ufeff", "\ufffe\uffff", "e\u0301\u0301\u0301", "مرحبا بالعالم",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
    "' OR '1'='1", "Robert'); DROP TABLE users;--", "%s%s%n", "{{7*7}}", "${7*7}", "\r\n\r\n",
    "\r", "\U0001F600\U0001F1F8\U0001F1F3", "../../etc/passwd", "\\", "NaN", "-1", "0",
    "99999999999999999999999", "1e309", "true", "null", "[]", "{}", "on", "y",
]
#: Bytes that are not UTF-8: lone surrogates (CESU-8), overlong NUL, stray continuations.
NOT_UTF8 = [b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xc0\x80", b"\xff\xfe", b"\x80abc"]

hostile_text = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Mn", "Co"]),
            max_size=20),
    st.builds(lambda char, size: char * size, st.sampled_from(["a", "é", "\u202e", "<", "\x00"]),
              st.sampled_from([10**5, 10**6])),
)
hostile_value = st.one_of(hostile_text, st.sampled_from(NOT_UTF8), st.binary(max_size=16))
#: What a form field receives: a value, the field repeated, or nothing at all.
MISSING = object()
field_value = st.one_of(hostile_value, st.lists(hostile_value, min_size=2, max_size=3),
                        st.just(MISSING))


def submissions(valid: dict) -> st.SearchStrategy:
    """A form: the valid one with up to three of its fields replaced, and maybe an extra one."""
    names = sorted(valid)

    @st.composite
    def build(draw):
        form = dict(valid)
        for name in draw(st.sets(st.sampled_from(names), max_size=3)):
            value = draw(field_value)
            if value is MISSING:
                del form[name]
            else:
                form[name] = value
        if draw(st.booleans()):
            form[draw(st.sampled_from(["extra", "csrf_token[]", "id", "is_admin"]))] = \
                draw(hostile_value)
        return form

    return build()


def encoded(form: dict, token: str) -> bytes:
    pairs = [("csrf_token", token)]
    for name, value in form.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return urlencode(pairs).encode()


# What is stored -------------------------------------------------------------------------------

def snapshot() -> dict[str, dict]:
    """Every row of every table, by table and primary key."""
    rows = {}
    for table in db.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        rows[table.name] = {
            tuple(row[column.name] for column in keys): row
            for row in db.session.execute(select(table)).mappings()}
    return rows


def changed_rows(before: dict, after: dict) -> list[tuple[str, dict]]:
    return [(table, row) for table, rows in after.items() for key, row in rows.items()
            if before[table].get(key) != row]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def garbage_in(table: str, row) -> list[str]:
    """What is wrong with a stored row: control characters, surrogates, texts too long."""
    problems = []
    columns = db.metadata.tables[table].columns
    for name, value in row.items():
        if name in NOT_TYPED:
            continue
        declared = getattr(columns[name].type, "length", None) \
            if isinstance(columns[name].type, String) else None
        for text in _strings(value):
            bad = {char for char in text if unicodedata.category(char) in ("Cc", "Cs")
                   and char not in ALLOWED_CONTROLS}
            if bad:
                problems.append(f"{table}.{name} holds {sorted(bad)!r}")
            if len(text) > (declared or LONGEST_TEXT):
                problems.append(f"{table}.{name} holds {len(text)} characters")
    return problems


# The forms ------------------------------------------------------------------------------------

@dataclass
class Form:
    """A form to fuzz: who sends it, where, a valid submission, and what may change when the
    form is refused (sign-in failures are counted, for the throttling)."""

    kind: str
    path: Callable[[dict], str]
    valid: dict
    prepare: Callable[[dict], None] | None = None
    counted_on_refusal: set[str] = field(default_factory=set)
    #: Changes to the valid form that once broke it, always tried (MISSING drops a field).
    known: list[dict] = field(default_factory=list)


def _open_registration(ids):
    consultation = db.session.get(Consultation, ids["consultation_id"])
    consultation.status = ConsultationStatus.registration_open
    db.session.commit()


def _reset_path(ids):
    from portal.accounts.models import User

    user = db.session.scalars(select(User).where(User.email == "observer@example.org")).one()
    return f"/account/password/reset/{password_reset_token(user)}"


LONG_PASSPHRASE = "harmattan wind over the baobab river at dawn " * 2

PROFILE = {"name": "Delegate of the Mauritanian Red Crescent",
           "organisation": "Mauritanian Red Crescent", "stakeholder_group": "red_cross",
           "country": "MR", "preferred_locale": "fr"}

FORMS = {
    "sign-up": Form("anonymous", lambda ids: "/account/sign-up", {
        **PROFILE, "email": "new-delegate@example.org", "password": PASSWORD,
        "password_confirmation": PASSWORD},
        known=[{"password": LONG_PASSPHRASE, "password_confirmation": LONG_PASSPHRASE}]),
    "sign-in": Form("anonymous", lambda ids: "/account/sign-in", {
        "email": "observer@example.org", "password": PASSWORD, "remember": "y"},
        counted_on_refusal={"sign_in_failures", "audit_events"}),
    "password reset request": Form("anonymous", lambda ids: "/account/password/reset",
                                   {"email": "observer@example.org"}),
    "sign-in link request": Form("anonymous", lambda ids: "/account/sign-in/link",
                                 {"email": "observer@example.org"}),
    "password reset": Form("anonymous", _reset_path, {
        "new_password": "a-new-harmattan-password-77",
        "new_password_confirmation": "a-new-harmattan-password-77"},
        known=[{"new_password": "x" * 200, "new_password_confirmation": "x" * 200}]),
    "profile": Form("participant", lambda ids: "/account/profile", PROFILE),
    "registration with questions": Form(
        "signed_in", lambda ids: f"/c/{ids['slug']}/register", {
            **PROFILE, "attendance": "in_person", "languages": ["fr", "en"],
            "interpretation_language": "", "accessibility_needs": "Step-free access",
            "notes": "Vegetarian", "consent": "y", "listed_in_outcome": "y",
            "question_{question_id}": "The morning session",
            "question_{choice_question_id}": "Port of Dakar"},
        prepare=_open_registration),
    "consultation set-up": Form("facilitator", lambda ids: "/consultations/new", {
        "title": "Red Talks Nairobi: children on the move", "slug": "red-talks-nairobi",
        "summary": "Protection of migrant children in East Africa.",
        "description": "Two days of breakouts and plenary.", "region": "africa",
        "gcm_objectives": ["7", "8"], "organisers": "Kenya Red Cross Society, IOM",
        "venue": "Nairobi, Kenya", "mode": "hybrid", "time_zone": "Africa/Nairobi",
        "starts_at": "2025-03-10T09:00", "ends_at": "2025-03-11T17:30",
        "working_languages": ["en", "fr"], "capacity": "80", "approval_rule": "facilitator",
        "attribution_rule": "chatham_house", "adoption_rule": "two_thirds",
        "small_group_threshold": "3",
        "consent_text": "We process your data to run the consultation."}),
    "breakout set-up": Form("facilitator",
                            lambda ids: f"/c/{ids['slug']}/agenda/{ids['item_id']}/groups/new", {
        "name": "Search and identification", "theme": "Identifying the dead",
        "guiding_questions": "Who collects the data?\r\n\r\nHow are families told?\r\n",
        "capacity": "25", "language": "fr", "rapporteur_email": "observer@example.org"},
        known=[{"rapporteur_email": "observer\x00@example.org"}]),
    "registration question": Form("facilitator", lambda ids: f"/c/{ids['slug']}/questions", {
        "prompt": "Which session?", "kind": "single_choice", "options": "Morning\r\nAfternoon",
        "required": "y"}, known=[{"kind": MISSING}]),
    "comment": Form("participant",
                    lambda ids: f"/c/{ids['slug']}/threads/{ids['thread_id']}/comments", {
        "body": "Families need one contact point.\r\nAnd news.",
        "parent": "{comment_id}"},
        known=[{"body": "a\x00b"}, {"parent": "99999999999999999999999"}]),
    "hide": Form("facilitator",
                 lambda ids: f"/c/{ids['slug']}/comments/{ids['comment_id']}/hide",
                 {"reason": "A personal attack."}, known=[{"reason": " "}]),
    "flag": Form("participant",
                 lambda ids: f"/c/{ids['slug']}/comments/{ids['comment_id']}/flag",
                 {"reason": "Off topic."}, known=[{"reason": " "}]),
    "recommendation": Form("rapporteur", lambda ids: f"/c/{ids['slug']}/recommendations/new", {
        "title": "Focal points", "theme": "Search", "gcm_objectives": ["8"], "group": "0",
        "language": "en", "text": "States should designate focal points.\r\nNow."}),
    "amendment": Form(
        "participant",
        lambda ids: f"/c/{ids['slug']}/recommendations/{ids['recommendation_id']}/amendments",
        {"text": "States should inform every migrant of the risks.", "rationale": "Wider."}),
    "vote": Form("participant",
                 lambda ids: f"/c/{ids['slug']}/rounds/{ids['vote_round_id']}/vote",
                 {"choice": "support_with_reservations", "reservation": "Subject to law."}),
    "show of hands": Form("facilitator",
                          lambda ids: f"/c/{ids['slug']}/rounds/{ids['vote_round_id']}/in-room",
                          {"support": "12", "support_with_reservations": "1", "oppose": "2",
                           "abstain": "3"},
                          known=[{"support": "99999999999999999999999"}]),
    "translation": Form(
        "secretariat",
        lambda ids: f"/c/{ids['slug']}/outcome/translations/{ids['recommendation_id']}/fr",
        {"title": "Information avant le départ",
         "text": "Les États devraient informer les migrants.", "status": "draft"}),
    "amendment translation": Form(
        "secretariat",
        lambda ids: f"/c/{ids['slug']}/outcome/translations/amendments/{ids['amendment_id']}/fr",
        {"text": "Les États devraient informer les migrants dans leurs langues.",
         "rationale": "La langue compte.", "status": "draft"}),
    "consultation texts": Form("facilitator", lambda ids: f"/c/{ids['slug']}/texts/fr", {
        "title": "Consultation régionale sur les migrants disparus",
        "summary": "Un résumé.", "description": "Premier paragraphe.\r\n\nSecond."}),
    "outcome texts": Form("secretariat", lambda ids: f"/c/{ids['slug']}/outcome/texts/fr", {
        "executive_summary": "La consultation a adopté deux recommandations.\r\n\r\n- une",
        "introduction": "Introduction en français.",
        "name_0": "Consultation régionale sur les migrants disparus"}),
    "breakout summary": Form(
        "rapporteur", lambda ids: f"/c/{ids['slug']}/outcome/breakouts/{ids['group_id']}",
        {"text": "The group asked for a regional network."}),
    "outcome cover": Form("secretariat", lambda ids: f"/c/{ids['slug']}/outcome/cover", {
        "symbol": "IOM/RT/DAKAR/2024/1", "distribution": "general"}),
}


def _filled(valid: dict, ids: dict) -> dict:
    """The valid form with the world's ids put into its names and values."""
    def fill(value):
        if isinstance(value, list):
            return [fill(item) for item in value]
        return value.format(**ids) if isinstance(value, str) and "{" in value else value

    return {fill(name): fill(value) for name, value in valid.items()}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_form_survives_hostile_input_and_stores_no_garbage(world_app, name):
    spec = FORMS[name]
    valid = _filled(spec.valid, world_app.world.ids)
    outcomes = []

    def with_changes(changes: dict) -> dict:
        form = {**valid, **changes}
        return {key: value for key, value in form.items() if value is not MISSING}

    @FUZZ
    @given(form=submissions(valid))
    def check(form):
        with world_transaction(world_app):
            ids = world_app.world.ids
            if spec.prepare:
                spec.prepare(ids)
            path = spec.path(ids)
            client, token = client_as(world_app, spec.kind)
            before = snapshot()
            response = client.post(path, data=encoded(form, token),
                                   content_type="application/x-www-form-urlencoded")
            assert response.status_code < 500
            changes = changed_rows(before, snapshot())
            accepted = response.status_code in (302, 303)
            outcomes.append(accepted)
            if not accepted:
                stored = sorted({table for table, _row in changes} - spec.counted_on_refusal)
                assert stored == [], f"a refused {name} form ({response.status_code}) " \
                                     f"stored rows in {stored}"
            problems = [problem for table, row in changes for problem in garbage_in(table, row)]
            assert problems == []

    for changes in spec.known:
        check = example(form=with_changes(changes))(check)
    check()
    # The valid form is among the examples: the property was checked on a stored one too.
    assert any(outcomes), f"no {name} form was accepted: the valid one is not valid"


# Socket events --------------------------------------------------------------------------------

#: Socket.IO carries JSON, whose strings may hold lone surrogates ("\ud800").
socket_text = st.one_of(hostile_text, st.text(alphabet=st.characters(categories=["Cs", "Cc"]),
                                              min_size=1, max_size=5))
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), socket_text),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(hostile_text, children, max_size=3)),
    max_leaves=8)


def room_names(ids) -> st.SearchStrategy:
    kinds = st.sampled_from(["consultation", "group", "thread", "recommendation", "round"])
    numbers = st.sampled_from([
        str(ids["consultation_id"]), str(ids["vote_round_id"]), "0", "-1", "\u00b2", "\u0663",
        "1.5", " 1", "1 ", "0x1", "1_0", "99999999999999999999999999999", str(2**63)])
    return st.one_of(
        st.builds(lambda kind, number: f"{kind}:{number}", kinds, numbers),
        st.builds(lambda kind, number: f"{kind}:{number}", socket_text, socket_text),
        socket_text)


def socket_payloads(ids, event: str) -> st.SearchStrategy:
    """Mostly payloads of the event's shape with hostile values, sometimes anything at all."""
    if event == "cast_vote":
        shaped = st.fixed_dictionaries({}, optional={
            "round_id": st.one_of(st.just(ids["vote_round_id"]), st.integers(), json_value,
                                  st.sampled_from([2**31, 2**63, 2**70, -(2**70)])),
            "choice": st.one_of(st.sampled_from(["support", "support_with_reservations",
                                                 "oppose", "abstain"]), json_value),
            "reservation": st.one_of(st.none(), socket_text, json_value),
            "extra": json_value})
    else:
        shaped = st.fixed_dictionaries({"room": st.one_of(room_names(ids), json_value)},
                                       optional={"extra": json_value})
    return st.one_of(shaped, json_value)


#: Payloads that once broke a handler, always tried besides the generated ones.
KNOWN_HOSTILE = {
    "join": [{"room": "consultation:\u00b2"}, {"room": "round:99999999999999999999999"}],
    "leave": [{"room": "group:\u00b2"}],
    "cast_vote": [{"round_id": 2**70, "choice": "support"},
                  {"round_id": "VOTE_ROUND", "choice": "support_with_reservations",
                   "reservation": "Subject to \ud800\x00 the law."}],
}

#: The answers the live protocol documents for refused votes.
VOTE_CODES = {"invalid_payload", "no_round", "invalid_choice", "reservation_required",
              "not_eligible", "round_closed", "not_stored"}


@pytest.mark.parametrize("kind", ["participant", "observer"])
@pytest.mark.parametrize("event", ["join", "leave", "cast_vote"])
def test_a_socket_event_survives_hostile_payloads(world_app, monkeypatch, caplog, event, kind):
    ids = world_app.world.ids

    @FUZZ
    @given(payload=socket_payloads(ids, event))
    def check(payload):
        with world_transaction(world_app), caplog.at_level(logging.WARNING):
            caplog.clear()
            client, _token = client_as(world_app, kind)
            connection = socket_client_as(world_app, client, monkeypatch)
            before = snapshot()
            answer = connection.emit(event, payload, callback=True)
            changes = changed_rows(before, snapshot())
            connection.disconnect()
            assert [record.getMessage() for record in caplog.records] == []
            assert isinstance(answer, dict) and isinstance(answer.get("ok"), bool), answer
            if event == "cast_vote" and not answer["ok"]:
                assert answer["code"] in VOTE_CODES, answer
            if not (event == "cast_vote" and answer["ok"]):
                assert changes == [], f"{event} {answer} stored something"
            problems = [problem for table, row in changes for problem in garbage_in(table, row)]
            assert problems == []

    for known in KNOWN_HOSTILE[event]:
        if known.get("round_id") == "VOTE_ROUND":
            known = {**known, "round_id": ids["vote_round_id"]}
        check = example(payload=known)(check)
    check()
