"""On a 360 px phone, in French and in Arabic: a person signs in through their organisation's
identity provider (a real OpenID provider on loopback, its own login form) and finishes their
new account; the check-in desk prints a badge, and the QR code printed on it, read by the same
decoder the check-in page's scanner uses, checks its person in through the scanner's path
(headless Chromium has no camera: the decoded text is handed to the scanner as the camera
loop hands it)."""

import base64
import json
import subprocess  # nosec B404
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import select, update

from consultations.models import (
    Consultation,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal.accounts.models import LinkedIdentity, StakeholderGroup, User
from portal.accounts.operations import create_account
from tests.browser.conftest import assert_accessible
from tests.identity_provider import NAMED_IN_PARTS, PORTAL_CLIENT, VERIFIED, running_provider
from tests.servers import PortalServer

PASSWORD = "harmattan-baobab-river-42"
PHONE = {"width": 360, "height": 740}
BROWSERS = {"fr": "fr-FR", "ar": "ar-EG"}


@pytest.fixture(scope="module")
def served(browser_database):
    """A portal of its own, knowing the provider (started for its callback address)."""
    url, directory = browser_database
    server = PortalServer(url, directory)
    with running_provider(f"{server.url}/account/sign-in/openid/unhcr/callback") as issuer:
        server.environment["OIDC_PROVIDERS"] = json.dumps([
            {"name": "unhcr", "label": "UNHCR", "issuer": issuer, **PORTAL_CLIENT}])
        server.environment["LIBREOFFICE"] = "soffice"
        server.start()
        try:
            yield server, issuer
        finally:
            server.stop()


@pytest.fixture
def phone(chromium, served):
    contexts = []

    def open_page(locale):
        context = chromium.new_context(base_url=served[0].url, locale=BROWSERS[locale],
                                       viewport=PHONE, is_mobile=True, has_touch=True,
                                       accept_downloads=True)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def say(browser_app):
    def translate(locale, message, **variables):
        with browser_app.test_request_context(), force_locale(locale):
            return gettext(message, **variables)

    return translate


#: The provider's test person each language's run signs in as (new to the portal each time).
PEOPLE = {"fr": (VERIFIED, "amina.diallo@unhcr.example", "Amina Diallo"),
          "ar": (NAMED_IN_PARTS, "fatou.ndiaye@unhcr.example", "Fatou Ndiaye")}


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_signing_in_with_the_organisation_s_account_on_a_phone(
        phone, served, portal_data, say, locale):
    db = portal_data
    login, email, name = PEOPLE[locale]
    for user in db.session.scalars(select(User).where(User.email == email)):
        db.session.delete(user)
    db.session.commit()
    page = phone(locale)
    page.goto("/account/sign-in")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if locale == "ar" else "ltr")
    button = page.get_by_role("link", name=say(locale, "Sign in with %(provider)s",
                                                 provider="UNHCR"))
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["width"] <= PHONE["width"] and box["x"] >= 0, "the button fits the phone"
    expect(page.get_by_role("heading", name=say(locale, "With your organisation's account"))
           ).to_be_visible()
    assert_accessible(page)

    button.click()
    # The provider's own login form.
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()

    expect(page.get_by_role("heading", name=say(locale, "Finish creating your account"))
           ).to_be_visible()
    expect(page.get_by_label(say(locale, "Full name"))).to_have_value(name)
    assert_accessible(page)
    page.get_by_label(say(locale, "Organisation")).fill("UNHCR")
    page.get_by_role("button", name=say(locale, "Create the account")).click()
    # The group was not chosen: the form says so and keeps what was typed.
    expect(page.get_by_label(say(locale, "Organisation"))).to_have_value("UNHCR")
    page.get_by_label(say(locale, "Stakeholder group")).select_option("un_agency")
    page.get_by_label(say(locale, "Country")).select_option("SN")
    page.get_by_role("button", name=say(locale, "Create the account")).click()
    expect(page.get_by_text(say(locale, "Welcome, %(name)s. Your account is ready.",
                                name=name))).to_be_visible()

    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == email))
    assert user.organisation == "UNHCR"
    assert db.session.scalar(select(LinkedIdentity.subject).where(
        LinkedIdentity.user_id == user.id)) == login


@pytest.fixture
def desk(portal_data):
    """A live consultation with its facilitator and one approved participant in the room."""
    db = portal_data
    tag = uuid.uuid4().hex[:8]
    starts = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)
    facilitator = create_account(
        email=f"desk-{tag}@example.org", password=PASSWORD, name="Mariama Sow",
        organisation="IOM", stakeholder_group=StakeholderGroup.un_agency, country="SN")
    delegate = create_account(
        email=f"delegate-{tag}@example.org", password=PASSWORD, name="Ousmane Ba",
        organisation="Croix-Rouge sénégalaise", stakeholder_group=StakeholderGroup.red_cross,
        country="SN")
    consultation = Consultation(
        slug=f"dakar-{tag}", title="Red Talks Dakar", region=Region.africa, starts_at=starts,
        ends_at=starts + timedelta(days=1), time_zone="Africa/Dakar",
        working_languages=["fr", "ar", "en"], status=ConsultationStatus.live,
        venue="King Fahd Palace")
    consultation.gcm_objectives = [8]
    db.session.add(consultation)
    db.session.flush()
    for user, role in ((facilitator, Role.facilitator), (delegate, Role.participant)):
        db.session.add(Registration(
            consultation=consultation, user=user, role=role, status=RegistrationStatus.approved,
            organisation=user.organisation, stakeholder_group=user.stakeholder_group,
            country="SN"))
    db.session.commit()
    registration = db.session.scalar(select(Registration).where(
        Registration.user_id == delegate.id))
    return consultation.slug, facilitator.email, registration.id


def read_pdf(download, tmp_path) -> tuple[str, str, bytes]:
    path = tmp_path / "printout.pdf"
    download.save_as(path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"],  # noqa: S603, S607
                          capture_output=True, check=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)],  # noqa: S603, S607
                          capture_output=True, check=True, text=True).stdout
    image = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1",  # noqa: S603, S607
                    "-singlefile", str(path), str(image)], check=True)
    return text, info, (tmp_path / "page.png").read_bytes()


#: Reads the QR code in an image with jsQR, loaded from where the scanner loads it.
DECODE = """async (png) => {
  const root = document.querySelector("[data-badge-scanner]");
  if (!window.jsQR) {
    await new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = root.getAttribute("data-decoder");
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }
  const image = new Image();
  image.src = "data:image/png;base64," + png;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const code = window.jsQR(context.getImageData(0, 0, image.width, image.height).data,
                           image.width, image.height);
  return code ? code.data : null;
}"""


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_the_desk_prints_a_badge_and_scanning_it_checks_its_person_in(
        phone, desk, portal_data, say, tmp_path, locale):
    slug, facilitator_email, registration_id = desk
    db = portal_data
    db.session.execute(update(User).where(User.email == facilitator_email)
                       .values(preferred_locale=locale))
    db.session.commit()
    page = phone(locale)
    page.goto("/account/sign-in")
    page.locator("input[name=email]").fill(facilitator_email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stacked-form button[type=submit]").click()
    page.goto(f"/c/{slug}/check-in")
    expect(page.get_by_role("heading", name=say(locale, "Scan a badge"))).to_be_visible()
    expect(page.get_by_role("button", name=say(locale, "Scan with the camera"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)

    # The attendance list, on Letter paper.
    page.get_by_label(say(locale, "Letter")).check()
    with page.expect_download() as download:
        page.get_by_role("button", name=say(locale, "Print the attendance list")).click()
    text, info, _image = read_pdf(download.value, tmp_path)
    assert "792 x 612 pts (letter)" in info
    assert "Ousmane Ba" in text and "Mariama Sow" in text

    # The delegate's badge, on A4.
    with page.expect_download() as download:
        page.get_by_role("link", name=say(locale, "Badge of %(name)s (PDF)",
                                          name="Ousmane Ba")).click()
    text, info, image = read_pdf(download.value, tmp_path)
    assert "(A4)" in info
    assert "Ousmane Ba" in text and "Croix-Rouge sénégalaise" in text
    address = page.evaluate(DECODE, base64.b64encode(image).decode())
    assert address and f"/c/{slug}/check-in/badge/" in address

    # What the camera loop does with what it decodes.
    page.evaluate("""(text) => document.querySelector("[data-badge-scanner]")
        .dispatchEvent(new CustomEvent("badge-decoded", {detail: text}))""", address)
    expect(page.get_by_role("status")).to_have_text(
        say(locale, "%(name)s is checked in.", name="Ousmane Ba"))

    db.session.expire_all()
    assert db.session.get(Registration, registration_id).checked_in_at is not None
    db.session.rollback()

    # Typed into the box (as a hand scanner types it), the same badge: already checked in.
    page.get_by_label(say(locale, "Badge code")).fill(address)
    page.get_by_label(say(locale, "Badge code")).press("Enter")
    expect(page.get_by_role("status")).to_have_text(
        say(locale, "%(name)s was checked in already.", name="Ousmane Ba"))
    page.screenshot(path=str(tmp_path / f"check-in-{locale}.png"), full_page=True)
