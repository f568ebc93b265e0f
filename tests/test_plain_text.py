"""What a typed text may hold: line breaks as ``\\n``, no other control character."""

from sqlalchemy import select

from consultations import discussion
from consultations.models import Comment, Role
from portal.plain_text import has_control_characters, one_line_ending, without_bidi_controls
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


RLO, PDF = "\u202e", "\u202c"
BIDI_CONTROLS = [chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]


def test_bidi_overrides_embeddings_and_isolates_are_taken_out_but_marks_are_kept():
    assert without_bidi_controls("".join(BIDI_CONTROLS) + "evil") == "evil"
    marked = "الفقرة\u200f 12\u061c, item\u200e"
    assert without_bidi_controls(marked) == marked


def test_a_comment_that_would_show_evil_as_live_is_stored_and_shown_in_typed_order(
        client, session, make_user, make_consultation, register):
    consultation = make_consultation()
    participant = make_user(name=f"{RLO}Delegate{PDF} of the north", organisation=f"\u2067Red{PDF}")
    register(participant, consultation, Role.participant)
    thread = discussion.plenary_thread(consultation)
    sign_in(client, participant.email)
    thread_path = f"/c/{consultation.slug}/threads/{thread.id}"

    sent = submit(client, f"{thread_path}/comments", {"body": f"Beware: {RLO}evil{PDF} links."},
                  form_path=thread_path, follow_redirects=True)

    assert sent.status_code == 200
    assert session.scalars(select(Comment.body)).one() == "Beware: evil links."
    page = sent.get_data(as_text=True)
    assert "Beware: evil links." in page
    # Neither the new comment nor the name stored earlier brings a control into the page.
    assert "Delegate of the north" in page
    assert not any(control in page for control in BIDI_CONTROLS)


def test_a_comment_stored_with_an_override_is_shown_without_it(
        client, session, make_user, make_consultation, register):
    consultation = make_consultation()
    participant = make_user()
    register(participant, consultation, Role.participant)
    thread = discussion.plenary_thread(consultation)
    session.add(Comment(thread=thread, author=participant, body=f"Stored {RLO}evil **before**"))
    session.flush()
    sign_in(client, participant.email)

    page = client.get(f"/c/{consultation.slug}/threads/{thread.id}").get_data(as_text=True)

    assert "Stored evil <strong>before</strong>" in page
    assert RLO not in page


def test_a_name_typed_with_an_override_is_saved_without_it(client, session, make_user):
    person = make_user()
    sign_in(client, person.email)

    saved = submit(client, "/account/profile", {
        "name": f"Aminata {RLO}Diallo", "organisation": f"{RLO}CNDH{PDF} Senegal",
        "stakeholder_group": person.stakeholder_group.value, "country": "SN",
        "preferred_locale": "en"}, follow_redirects=True)

    assert "Your profile is saved." in saved.get_data(as_text=True)
    session.refresh(person)
    assert (person.name, person.organisation) == ("Aminata Diallo", "CNDH Senegal")
