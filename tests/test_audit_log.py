"""The audit log: the whole of it for admins, each consultation's for its facilitators."""

from datetime import UTC, datetime

from consultations.models import Role
from portal.audit.operations import record_event
from tests.conftest import sign_in


def _events(session, make_user, make_consultation, register):
    admin, facilitator, participant = make_user(is_admin=True), make_user(), make_user()
    ours, theirs = make_consultation(title="Dakar"), make_consultation(title="Rabat")
    register(facilitator, ours, Role.facilitator)
    register(participant, ours)
    record_event("comment.hidden", actor=facilitator, consultation=ours, reason="ours")
    record_event("comment.hidden", actor=participant, consultation=theirs, reason="theirs")
    old = record_event("vote_round.closed", actor=facilitator, consultation=ours, reason="old")
    session.flush()
    old.occurred_at = datetime(2024, 4, 23, 10, tzinfo=UTC)
    old.ip_address = "192.0.2.7"
    session.flush()
    return admin, facilitator, participant, ours, theirs


def test_an_admin_filters_the_whole_log(client, session, make_user, make_consultation,
                                        register):
    admin, facilitator, participant, ours, theirs = _events(
        session, make_user, make_consultation, register)
    sign_in(client, admin.email)
    everything = client.get("/admin/audit/").get_data(as_text=True)
    assert "reason: ours" in everything and "reason: theirs" in everything
    assert "192.0.2.7" in everything

    by_actor = client.get("/admin/audit/", query_string={"actor": participant.email})
    assert "reason: theirs" in by_actor.get_data(as_text=True)
    assert "reason: ours" not in by_actor.get_data(as_text=True)

    by_consultation = client.get("/admin/audit/", query_string={"consultation": ours.id})
    assert "reason: ours" in by_consultation.get_data(as_text=True)
    assert "reason: theirs" not in by_consultation.get_data(as_text=True)

    by_kind = client.get("/admin/audit/", query_string={"action": "vote_round"}).get_data(
        as_text=True)
    assert "reason: old" in by_kind and "reason: ours" not in by_kind

    by_dates = client.get("/admin/audit/", query_string={
        "since": "2024-04-23", "until": "2024-04-23"}).get_data(as_text=True)
    assert "reason: old" in by_dates and "reason: ours" not in by_dates

    bad = client.get("/admin/audit/", query_string={"since": "yesterday", "until": "x"})
    assert bad.status_code == 200
    assert "Please correct the following" in bad.get_data(as_text=True)
    assert 'value="yesterday"' in bad.get_data(as_text=True)

    reversed_ = client.get("/admin/audit/", query_string={
        "since": "2024-05-01", "until": "2024-04-01"})
    assert "must come after its start" in reversed_.get_data(as_text=True)


def test_the_log_is_paginated_and_keeps_the_filters(client, session, make_user,
                                                    make_consultation):
    admin = make_user(is_admin=True)
    consultation = make_consultation()
    for number in range(60):
        record_event("thread.added", actor=admin, consultation=consultation, number=number)
    session.flush()
    sign_in(client, admin.email)
    first = client.get("/admin/audit/", query_string={"action": "thread"}).get_data(as_text=True)
    assert "number: 59<" in first and "number: 10<" in first and "number: 9<" not in first
    assert "page=2" in first and "action=thread" in first
    second = client.get("/admin/audit/", query_string={"action": "thread", "page": 2})
    assert "number: 5<" in second.get_data(as_text=True)


def test_a_facilitator_sees_only_their_consultations_audit(client, session, make_user,
                                                         make_consultation, register):
    admin, facilitator, participant, ours, theirs = _events(
        session, make_user, make_consultation, register)
    sign_in(client, facilitator.email)
    assert client.get("/admin/audit/").status_code == 403
    assert client.get(f"/c/{theirs.slug}/audit").status_code == 403
    page = client.get(f"/c/{ours.slug}/audit").get_data(as_text=True)
    assert "reason: ours" in page and "reason: theirs" not in page
    assert "192.0.2.7" not in page, "network addresses are for admins"
    assert 'name="consultation"' not in page
    manage = client.get(f"/c/{ours.slug}/manage").get_data(as_text=True)
    assert f"/c/{ours.slug}/audit" in manage


def test_participants_and_visitors_do_not_see_a_consultations_audit(
        client, session, make_user, make_consultation, register):
    admin, facilitator, participant, ours, theirs = _events(
        session, make_user, make_consultation, register)
    assert client.get(f"/c/{ours.slug}/audit").status_code == 302
    sign_in(client, participant.email)
    assert client.get(f"/c/{ours.slug}/audit").status_code == 403


def test_hostile_filters_get_a_page_not_an_error(client, session, make_user):
    admin = make_user(is_admin=True)
    sign_in(client, admin.email)
    for query in ({"actor": "a\x00b"}, {"action": "\x00"}, {"consultation": "9" * 30},
                  {"consultation": "١٢"}, {"page": "-3"}, {"actor": "%_" * 200},
                  {"since": "2024-13-45"}):
        assert client.get("/admin/audit/", query_string=query).status_code == 200, query
