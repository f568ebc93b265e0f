"""What a typed text may hold: line breaks as ``\\n``, no other control character."""

from sqlalchemy import select

from consultations import discussion
from consultations.models import Comment, Role
from portal.plain_text import has_control_characters, one_line_ending
from tests.conftest import sign_in, submit


def test_line_breaks_of_every_kind_become_newlines():
    assert one_line_ending("one\r\ntwo\rthree\nfour") == "one\ntwo\nthree\nfour"


def test_control_characters_are_found_but_newlines_tabs_and_rtl_marks_are_text():
    assert not has_control_characters("الفقرة الأولى\u200f\n\tSecond line")
    for text in ("a\x00b", "\x1b[31m", "back\x08space", "\x7f", "lone \ud800"):
        assert has_control_characters(text), repr(text)


def test_a_comment_with_a_control_character_is_refused_with_a_message_and_kept(
        client, session, make_user, make_consultation, register):
    consultation = make_consultation()
    participant = make_user()
    register(participant, consultation, Role.participant)
    thread = discussion.plenary_thread(consultation)
    sign_in(client, participant.email)
    path = f"/c/{consultation.slug}/threads/{thread.id}/comments"

    refused = submit(client, path, {"body": "Families\x00 need news."},
                     form_path=f"/c/{consultation.slug}/threads/{thread.id}")

    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Remove the invisible control characters from this text." in page
    assert "Families" in page
    assert session.scalars(select(Comment)).all() == []

    submit(client, path, {"body": "Families need news.\r\nAnd one contact point."},
           form_path=f"/c/{consultation.slug}/threads/{thread.id}")
    assert session.scalars(select(Comment.body)).one() == \
        "Families need news.\nAnd one contact point."
