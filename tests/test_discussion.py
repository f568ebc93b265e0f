import pytest
from sqlalchemy import select

from consultations import breakouts
from consultations.models import (
    AgendaItem,
    AgendaItemKind,
    AttributionRule,
    Comment,
    CommentFlag,
    CommentRevision,
    Role,
    Thread,
)
from consultations.operations import add_breakout_group
from portal.audit.models import AuditEvent
from tests.conftest import sign_in, submit


@pytest.fixture
def breakout(session, make_consultation, make_user, register):
    """A live consultation with two published groups; p1 and p2 in group A, p3 in group B."""

    def make(**consultation_fields):
        consultation = make_consultation(**consultation_fields)
        facilitator = make_user(email="facilitator@example.org", name="Chair of the day")
        register(facilitator, consultation, Role.facilitator)
        round_ = AgendaItem(consultation=consultation, kind=AgendaItemKind.breakout_round,
                            title="Round 1", starts_at=consultation.starts_at,
                            ends_at=consultation.ends_at)
        session.add(round_)
        session.flush()
        group_a = add_breakout_group(round_, facilitator, name="Search and identification",
                                     guiding_questions=["Who collects the data?",
                                                        "How are families told?"])
        group_b = add_breakout_group(round_, facilitator, name="Support to families")
        people = {}
        for name, group in (("p1", group_a), ("p2", group_a), ("p3", group_b)):
            user = make_user(email=f"{name}@example.org", name=f"Named person {name}",
                             country="SN")
            registration = register(user, consultation, Role.participant)
            breakouts.move(round_, registration, group, facilitator)
            people[name] = user
        observer = make_user(email="observer@example.org")
        register(observer, consultation, Role.observer)
        breakouts.publish(round_, facilitator)
        thread = session.scalars(select(Thread).where(
            Thread.breakout_group_id == group_a.id).order_by(Thread.position)).first()
        return consultation, group_a, group_b, thread

    return make


def post(client, consultation, thread, body, **extra):
    return submit(client, f"/c/{consultation.slug}/threads/{thread.id}/comments",
                  {"body": body, **extra},
                  form_path=f"/c/{consultation.slug}/threads/{thread.id}")


def test_guiding_questions_become_the_groups_threads(breakout, session):
    consultation, group_a, group_b, thread = breakout()

    titles = session.scalars(select(Thread.title).where(
        Thread.breakout_group_id == group_a.id).order_by(Thread.position)).all()

    assert titles == ["Who collects the data?", "How are families told?"]


def test_a_member_posts_and_everyone_in_the_thread_gets_it_live(
    connect_socket, app, client, breakout, session
):
    consultation, group_a, group_b, thread = breakout()
    reader = app.test_client()
    sign_in(reader, "p2@example.org")
    socket = connect_socket(reader)
    assert socket.emit("join", {"room": f"thread:{thread.id}"}, callback=True)["ok"]
    socket.get_received()
    sign_in(client, "p1@example.org")

    response = post(client, consultation, thread, "We need **shared** DNA records.")

    assert response.status_code == 302
    [event] = [packet for packet in socket.get_received() if packet["name"] == "comment_created"]
    payload = event["args"][0]
    assert payload["html"] == "<p>We need <strong>shared</strong> DNA records.</p>"
    assert payload["author"] == "Named person p1"
    page = reader.get(f"/c/{consultation.slug}/threads/{thread.id}").get_data(as_text=True)
    assert "<strong>shared</strong>" in page
    socket.disconnect()


def test_under_chatham_house_participants_never_see_names_but_facilitators_do(connect_socket,
    app, client, breakout
):
    consultation, group_a, group_b, thread = breakout(
        attribution_rule=AttributionRule.chatham_house)
    reader = app.test_client()
    sign_in(reader, "p2@example.org")
    socket = connect_socket(reader)
    socket.emit("join", {"room": f"thread:{thread.id}"}, callback=True)
    socket.get_received()
    sign_in(client, "p1@example.org")

    post(client, consultation, thread, "Families must be told first.")

    [event] = [packet for packet in socket.get_received() if packet["name"] == "comment_created"]
    assert "Named person" not in str(event["args"])
    assert event["args"][0]["author"] == "Red Cross / Red Crescent, Senegal"
    page = reader.get(f"/c/{consultation.slug}/threads/{thread.id}").get_data(as_text=True)
    assert "Named person p1" not in page
    assert "Red Cross / Red Crescent, Senegal" in page
    group_page = reader.get(f"/c/{consultation.slug}/groups/{group_a.id}").get_data(as_text=True)
    assert "Named person" not in group_page
    facilitator = app.test_client()
    sign_in(facilitator, "facilitator@example.org")
    assert "Named person p1" in facilitator.get(
        f"/c/{consultation.slug}/threads/{thread.id}").get_data(as_text=True)
    socket.disconnect()


def test_a_breakouts_threads_are_closed_to_other_groups_and_observers_only_read(connect_socket,
    app, client, breakout, session
):
    consultation, group_a, group_b, thread = breakout()
    path = f"/c/{consultation.slug}/threads/{thread.id}"
    sign_in(client, "p3@example.org")
    assert client.get(path).status_code == 403
    assert post(client, consultation, thread, "Let me in").status_code == 403
    socket = connect_socket(client)
    assert not socket.emit("join", {"room": f"thread:{thread.id}"}, callback=True)["ok"]
    socket.disconnect()

    observer = app.test_client()
    sign_in(observer, "observer@example.org")
    assert observer.get(path).status_code == 200
    assert post(observer, consultation, thread, "An observer speaks").status_code == 403
    assert session.scalars(select(Comment)).all() == []


def test_opening_breakouts_lets_every_participant_in(client, breakout, session):
    consultation, group_a, group_b, thread = breakout()
    consultation.breakout_threads_open = True
    session.flush()
    sign_in(client, "p3@example.org")

    assert post(client, consultation, thread, "Thoughts from group B").status_code == 302


def test_replies_are_one_level_deep(client, breakout, session):
    consultation, group_a, group_b, thread = breakout()
    sign_in(client, "p1@example.org")
    post(client, consultation, thread, "First")
    first = session.scalars(select(Comment)).one()
    post(client, consultation, thread, "Reply", parent=first.id)
    reply = session.scalars(select(Comment).where(Comment.body == "Reply")).one()

    post(client, consultation, thread, "Reply to the reply", parent=reply.id)

    deeper = session.scalars(select(Comment).where(Comment.body == "Reply to the reply")).one()
    assert deeper.parent_id == first.id


def test_a_refused_comment_says_why_and_keeps_the_text(client, breakout, session):
    consultation, group_a, group_b, thread = breakout()
    sign_in(client, "p1@example.org")

    too_long = post(client, consultation, thread, "word " * 1200)
    empty = post(client, consultation, thread, "   ")

    assert too_long.status_code == 400
    assert "word word word" in too_long.get_data(as_text=True)
    assert "Field cannot be longer than 5000 characters." in too_long.get_data(as_text=True)
    assert "Write something first." in empty.get_data(as_text=True)
    assert session.scalars(select(Comment)).all() == []


def test_editing_keeps_the_earlier_text_and_deleting_leaves_a_trace(client, breakout, session):
    consultation, group_a, group_b, thread = breakout()
    sign_in(client, "p1@example.org")
    post(client, consultation, thread, "First draft")
    comment = session.scalars(select(Comment)).one()

    submit(client, f"/c/{consultation.slug}/comments/{comment.id}/edit", {"body": "Better"})
    session.refresh(comment)
    assert comment.body == "Better"
    assert [revision.body for revision in session.scalars(select(CommentRevision))] == [
        "First draft"]

    submit(client, f"/c/{consultation.slug}/comments/{comment.id}/delete", {},
           form_path=f"/c/{consultation.slug}/threads/{thread.id}")
    page = client.get(f"/c/{consultation.slug}/threads/{thread.id}").get_data(as_text=True)
    assert "Comment deleted by its author." in page
    assert "Better" not in page
    assert session.scalars(select(CommentRevision)).all() == []


def test_a_flagged_comment_reaches_the_queue_and_a_hidden_one_keeps_its_reason(
    app, client, breakout, session
):
    consultation, group_a, group_b, thread = breakout()
    sign_in(client, "p1@example.org")
    post(client, consultation, thread, "Something offensive")
    comment = session.scalars(select(Comment)).one()
    other = app.test_client()
    sign_in(other, "p2@example.org")
    submit(other, f"/c/{consultation.slug}/comments/{comment.id}/flag",
           {"reason": "Insulting a delegation"},
           form_path=f"/c/{consultation.slug}/threads/{thread.id}")
    facilitator = app.test_client()
    sign_in(facilitator, "facilitator@example.org")
    queue = facilitator.get(f"/c/{consultation.slug}/moderation").get_data(as_text=True)
    assert "Reported: Insulting a delegation" in queue

    submit(facilitator, f"/c/{consultation.slug}/comments/{comment.id}/hide",
           {"reason": "Personal attack"}, form_path=f"/c/{consultation.slug}/moderation")

    page = other.get(f"/c/{consultation.slug}/threads/{thread.id}").get_data(as_text=True)
    assert "Comment hidden by a facilitator." in page
    assert "Something offensive" not in page
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "comment.hidden")).one()
    assert event.details["reason"] == "Personal attack"
    assert "Nothing to moderate." in facilitator.get(
        f"/c/{consultation.slug}/moderation").get_data(as_text=True)


def test_a_participant_cannot_hide_comments(app, client, breakout, session):
    consultation, group_a, group_b, thread = breakout()
    sign_in(client, "p1@example.org")
    post(client, consultation, thread, "Fine words")
    comment = session.scalars(select(Comment)).one()
    other = app.test_client()
    sign_in(other, "p2@example.org")

    response = submit(other, f"/c/{consultation.slug}/comments/{comment.id}/hide",
                      {"reason": "I disagree"}, form_path="/")

    assert response.status_code == 403
    session.refresh(comment)
    assert comment.hidden_at is None


def test_script_in_a_comment_is_shown_as_text(client, breakout):
    consultation, group_a, group_b, thread = breakout()
    sign_in(client, "p1@example.org")

    post(client, consultation, thread, '<script>alert("x")</script> [x](javascript:alert(1))')

    page = client.get(f"/c/{consultation.slug}/threads/{thread.id}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript:' not in page


def test_presence_counts_the_people_in_a_group_room(connect_socket, app, breakout):
    consultation, group_a, group_b, thread = breakout()
    first, second = app.test_client(), app.test_client()
    sign_in(first, "p1@example.org")
    sign_in(second, "p2@example.org")
    one = connect_socket(first)
    two = connect_socket(second)
    one.emit("join", {"room": f"group:{group_a.id}"}, callback=True)
    two.emit("join", {"room": f"group:{group_a.id}"}, callback=True)

    counts = [packet["args"][0]["count"] for packet in one.get_received()
              if packet["name"] == "presence"]
    assert counts[-1] == 2
    two.disconnect()
    counts = [packet["args"][0]["count"] for packet in one.get_received()
              if packet["name"] == "presence"]
    assert counts[-1] == 1
    one.disconnect()


def test_a_blank_reason_to_flag_or_hide_is_refused_with_a_message(app, client, breakout,
                                                                     session):
    consultation, group_a, group_b, thread = breakout()
    sign_in(client, "p1@example.org")
    post(client, consultation, thread, "Something offensive")
    comment = session.scalars(select(Comment)).one()
    other = app.test_client()
    sign_in(other, "p2@example.org")
    facilitator = app.test_client()
    sign_in(facilitator, "facilitator@example.org")

    flagged = submit(other, f"/c/{consultation.slug}/comments/{comment.id}/flag",
                     {"reason": "   "}, form_path=f"/c/{consultation.slug}/threads/{thread.id}",
                     follow_redirects=True)
    hidden = submit(facilitator, f"/c/{consultation.slug}/comments/{comment.id}/hide",
                    {"reason": " \t "}, form_path=f"/c/{consultation.slug}/moderation",
                    follow_redirects=True)

    assert "Say what is wrong with the comment." in flagged.get_data(as_text=True)
    assert "Say why the comment is hidden." in hidden.get_data(as_text=True)
    assert session.scalars(select(CommentFlag)).all() == []
    session.refresh(comment)
    assert comment.hidden_at is None
