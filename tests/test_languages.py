"""Which language a page, a message or an e-mail is in, and how dates and numbers are written."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from flask_babel import force_locale, gettext, ngettext

from consultations import breakouts, discussion, operations
from consultations.models import (
    AgendaItem,
    AgendaItemKind,
    ApprovalRule,
    ConsultationStatus,
    Registration,
    RegistrationStatus,
    Role,
)
from portal.templating import number
from tests.conftest import find_user, sign_in, submit

HTML = re.compile(r'<html lang="([a-z]+)" dir="(ltr|rtl)"')


def language_of(response) -> tuple[str, str]:
    match = HTML.search(response.get_data(as_text=True))
    assert match, "the page has no lang and dir on its html element"
    return match.groups()


def say(app, locale: str, message: str, **variables) -> str:
    """``message`` as the catalogs have it in ``locale``."""
    with app.test_request_context(), force_locale(locale):
        return gettext(message, **variables)


def choose_language(client, locale: str, next_path: str = "/"):
    return submit(client, "/language", {"locale": locale, "next": next_path}, form_path="/")


def test_every_interface_language_has_its_compiled_catalog(app):
    assert app.config["INTERFACE_LOCALES"] == ["en", "fr", "es", "ar", "pt"]


def test_the_signed_in_persons_preference_comes_before_the_switch_and_the_browser(
    client, make_user
):
    make_user(email="delegate@example.org", preferred_locale="pt")
    choose_language(client, "fr")
    sign_in(client, "delegate@example.org")

    assert language_of(client.get("/", headers={"Accept-Language": "es"})) == ("pt", "ltr")


def test_without_a_preference_the_switch_comes_before_the_browser(client):
    choose_language(client, "ar")

    assert language_of(client.get("/", headers={"Accept-Language": "es"})) == ("ar", "rtl")


def test_without_a_switch_the_browser_chooses_among_the_portals_languages(client):
    assert language_of(client.get("/", headers={"Accept-Language": "es-AR,es;q=0.9"})) == (
        "es", "ltr")
    assert language_of(client.get("/", headers={"Accept-Language": "de-CH, de;q=0.9, pt;q=0.5"})
                       ) == ("pt", "ltr")


def test_a_consultation_page_falls_back_on_the_consultations_first_working_language(
    client, make_consultation
):
    consultation = make_consultation(working_languages=["fr", "en"])
    german = {"Accept-Language": "de"}

    assert language_of(client.get(f"/c/{consultation.slug}", headers=german)) == ("fr", "ltr")
    assert language_of(client.get(f"/c/{consultation.slug}")) == ("fr", "ltr")
    # The browser's language still comes first, and pages of no consultation stay English.
    assert language_of(client.get(f"/c/{consultation.slug}", headers={"Accept-Language": "en"})
                       ) == ("en", "ltr")
    assert language_of(client.get("/", headers=german)) == ("en", "ltr")


def test_english_when_nothing_else_chooses(client):
    assert language_of(client.get("/", headers={"Accept-Language": "de, it;q=0.5"})) == (
        "en", "ltr")
    assert language_of(client.get("/account/sign-in")) == ("en", "ltr")


def test_the_switch_keeps_a_signed_in_persons_choice_as_their_preference(client, make_user):
    make_user(email="delegate@example.org", preferred_locale="en")
    sign_in(client, "delegate@example.org")

    response = choose_language(client, "es", "/account/profile")

    assert response.headers["Location"] == "/account/profile"
    assert find_user("delegate@example.org").preferred_locale == "es"
    assert language_of(client.get("/account/profile")) == ("es", "ltr")


def test_a_new_account_prefers_the_language_its_form_was_shown_in(client):
    choose_language(client, "pt")

    page = client.get("/account/sign-up").get_data(as_text=True)

    assert re.search(r'<option[^>]*(value="pt"[^>]*selected|selected[^>]*value="pt")', page)


@pytest.mark.parametrize("locale", ["fr", "es", "ar", "pt"])
def test_pages_and_form_errors_speak_the_readers_language(app, client, locale):
    choose_language(client, locale)

    page = submit(client, "/account/sign-up", {"email": "not an address"}).get_data(as_text=True)

    assert say(app, locale, "Create an account") in page
    assert say(app, locale, "Enter an e-mail address like name@example.org.") in page
    assert "Create an account" not in page
    # WTForms' own messages ("This field is required.") come from its catalogs.
    assert "This field is required." not in page


def test_arabic_pages_run_right_to_left_and_others_left_to_right(client, make_consultation):
    consultation = make_consultation(working_languages=["ar", "fr"])

    for locale, direction in [("ar", "rtl"), ("fr", "ltr"), ("en", "ltr")]:
        headers = {"Accept-Language": locale}
        assert language_of(client.get(f"/c/{consultation.slug}", headers=headers)) == (
            locale, direction)


def test_dates_are_in_the_consultations_time_zone_written_the_readers_way(
    client, make_consultation
):
    starts = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)
    consultation = make_consultation(starts_at=starts, time_zone="America/Bogota")

    for locale in ("fr", "ar", "en"):
        page = client.get(f"/c/{consultation.slug}",
                          headers={"Accept-Language": locale}).get_data(as_text=True)
        # 08:30 UTC is 03:30 in Bogotá.
        assert written_the_readers_way(starts, "America/Bogota", locale) in page


def written_the_readers_way(moment, time_zone: str, locale: str) -> str:
    """The medium date and short time of ``moment`` joined as the reader's language joins them:
    "Apr 23, 2024, 3:30 AM", "23 avr. 2024, 03:30"."""
    glue = Locale.parse(locale).datetime_formats["medium"]
    local = moment.astimezone(ZoneInfo(time_zone))
    return glue.format(format_time(local, "short", locale=locale),
                       format_date(local, "medium", locale=locale))


SECONDS = re.compile(r"\d:\d\d:\d\d")
NUMERIC_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}")


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_dates_and_times_have_one_format_and_no_seconds(
        client, session, make_user, make_consultation, register, locale):
    starts = datetime(2024, 4, 23, 8, 30, 45, tzinfo=UTC)
    consultation = make_consultation(starts_at=starts, time_zone="Africa/Dakar")
    session.add(AgendaItem(consultation=consultation, kind=AgendaItemKind.plenary,
                           title="Opening", starts_at=starts,
                           ends_at=datetime(2024, 4, 23, 9, 15, tzinfo=UTC)))
    reader = make_user(preferred_locale=locale)
    register(reader, consultation, Role.participant)
    thread = discussion.plenary_thread(consultation)
    comment = discussion.post_comment(thread, reader, "Families need news.")
    comment.created_at = datetime(2024, 4, 23, 16, 5, 12, tzinfo=UTC)
    session.flush()
    sign_in(client, reader.email)

    for path, moment in [(f"/c/{consultation.slug}", starts),
                         (f"/c/{consultation.slug}/threads/{thread.id}", comment.created_at)]:
        shown = lxml.html.fromstring(client.get(path).get_data(as_text=True)).body.text_content()
        assert written_the_readers_way(moment, "Africa/Dakar", locale) in shown, path
        assert not SECONDS.search(shown), path
        assert not NUMERIC_DATE.search(shown), path


def test_numbers_are_written_the_readers_way(app, client, make_user, make_consultation,
                                             register):
    consultation = make_consultation(capacity=12_345, status=ConsultationStatus.registration_open,
                                     approval_rule=ApprovalRule.facilitator)
    register(make_user(email="facilitator@example.org", preferred_locale="fr"), consultation,
             Role.facilitator)
    sign_in(client, "facilitator@example.org")

    page = client.get(f"/c/{consultation.slug}/registrations").get_data(as_text=True)

    assert format_decimal(12_345, locale="fr") in page
    assert "12345" not in page and "12,345" not in page
    with app.test_request_context(), force_locale("es"):
        assert number(12_345) == "12.345"
    with app.test_request_context(), force_locale("ar"):
        assert number(12_345) == "12,345"


def test_arabic_counts_take_their_six_plural_forms(app):
    with app.test_request_context(), force_locale("ar"):
        forms = [ngettext("%(num)d comment", "%(num)d comments", count)
                 for count in (0, 1, 2, 3, 11, 100)]
    assert len(set(forms)) == 6
    assert forms[3].startswith("3 ") and forms[5].startswith("100 ")


def test_the_group_page_gives_the_presence_message_in_every_plural_form_of_arabic(
    client, make_user, make_consultation, register, session
):
    consultation = make_consultation(working_languages=["ar"])
    facilitator = make_user(email="facilitator@example.org", preferred_locale="ar")
    register(facilitator, consultation, Role.facilitator)
    round_ = operations.add_agenda_item(
        consultation, facilitator, kind=AgendaItemKind.breakout_round, title="Round 1",
        starts_at=consultation.starts_at, ends_at=consultation.ends_at)
    group = operations.add_breakout_group(round_, facilitator, name="Group 1")
    breakouts.publish(round_, facilitator)
    sign_in(client, "facilitator@example.org")

    page = client.get(f"/c/{consultation.slug}/groups/{group.id}").get_data(as_text=True)

    categories = re.findall(r'data-text-(zero|one|two|few|many|other)="', page)
    assert sorted(categories) == ["few", "many", "one", "other", "two", "zero"]


def test_a_socket_refusal_is_in_the_persons_language(app, client, connect_socket, make_user):
    make_user(email="delegate@example.org", preferred_locale="fr")
    sign_in(client, "delegate@example.org")
    socket = connect_socket(client)

    reply = socket.emit("join", {"room": "consultation:999999"}, callback=True)

    assert reply == {"ok": False, "error": say(app, "fr", "You may not follow this room."),
                     "code": "not_allowed"}
    assert reply["error"] != "You may not follow this room."
    socket.disconnect()


# E-mails go out in the recipient's language, whatever the language of whoever sent them.

def test_a_password_reset_mail_is_in_the_recipients_language(app, client, make_user, mailbox):
    make_user(email="delegate@example.org", name="Delegate", preferred_locale="ar")

    submit(client, "/account/password/reset", {"email": "delegate@example.org"},
           headers={"Accept-Language": "en"})

    [message] = mailbox.to("delegate@example.org")
    assert message["Subject"] == say(app, "ar", "Reset your Red Talks password")
    body = message.get_body().get_content()
    assert say(app, "ar", "Hello %(name)s,", name="Delegate") in body
    assert "Someone, probably you" not in body


def test_a_registration_decision_mail_is_in_the_participants_language(
    app, client, make_user, make_consultation, register, mailbox, session
):
    consultation = make_consultation(status=ConsultationStatus.registration_open,
                                     approval_rule=ApprovalRule.facilitator)
    register(make_user(email="facilitator@example.org", preferred_locale="en"), consultation,
             Role.facilitator)
    participant = make_user(email="delegate@example.org", preferred_locale="es")
    registration = register(participant, consultation, status=RegistrationStatus.pending)
    sign_in(client, "facilitator@example.org")

    response = submit(client, f"/c/{consultation.slug}/registrations/decide",
                      {"registration": [registration.id], "decision": "approved"},
                      form_path=f"/c/{consultation.slug}/registrations", follow_redirects=True)

    assert "Decision recorded for 1 registration." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Registration, registration.id).status == RegistrationStatus.approved
    [message] = mailbox.to("delegate@example.org")
    assert message["Subject"] == say(app, "es", "%(title)s: your registration is approved",
                                     title=consultation.title)
    assert say(app, "es", "Your registration for “%(title)s” is approved. We look forward to "
                          "your participation.", title=consultation.title) in (
        message.get_body().get_content())


def test_an_invitation_goes_out_in_the_consultations_language_to_someone_without_an_account(
    app, client, make_user, make_consultation, register, mailbox
):
    consultation = make_consultation(status=ConsultationStatus.registration_open,
                                     working_languages=["pt", "en"], invitation_only=True)
    register(make_user(email="facilitator@example.org", preferred_locale="en"), consultation,
             Role.facilitator)
    sign_in(client, "facilitator@example.org")
    invitations = f"/c/{consultation.slug}/invitations"
    submit(client, invitations, {"invitees": "email,name,organisation,stakeholder_group,country\n"
                                             "guest@example.org,Guest,CVA,red_cross,AO\n"})

    submit(client, f"{invitations}/send", {}, form_path=invitations)

    [message] = mailbox.to("guest@example.org")
    assert message["Subject"] == say(app, "pt", "Invitation: %(title)s", title=consultation.title)


def test_an_arabic_thread_page_shows_english_comments_and_names_in_their_own_direction(
        client, make_user, make_consultation, register):
    consultation = make_consultation(working_languages=["ar", "en"])
    writer = make_user(name="Amina K. (UNHCR)", preferred_locale="en")
    reader = make_user(preferred_locale="ar")
    for person in (writer, reader):
        register(person, consultation, Role.participant)
    thread = discussion.plenary_thread(consultation)
    discussion.post_comment(thread, writer, "Families need news, fast.\n\nOne contact point!")
    sign_in(client, reader.email)

    response = client.get(f"/c/{consultation.slug}/threads/{thread.id}")

    assert language_of(response) == ("ar", "rtl")
    page = lxml.html.fromstring(response.get_data(as_text=True))
    (comment,) = page.find_class("comment")
    (author,) = comment.xpath(".//*[@class='comment-author']/bdi")
    assert author.text_content() == "Amina K. (UNHCR)"
    (body,) = comment.find_class("comment-body")
    assert body.get("dir") == "auto"
    assert body.text_content().strip().startswith("Families need news, fast.")
    # What the reader types runs in its own direction too.
    (box,) = page.xpath("//textarea[@id='body']")
    assert box.get("dir") == "auto"
