import re

import pytest
from sqlalchemy import func, select

from consultations.models import (
    BreakoutAssignment,
    Comment,
    Consultation,
    Registration,
    RegistrationStatus,
    Role,
)
from portal import create_app
from portal.accounts.models import StakeholderGroup, User
from portal.extensions import db
from tests.conftest import FreshContextClient, sign_in, suite_settings
from tests.databases import scratch_database


@pytest.fixture
def empty_app(tmp_path):
    with scratch_database(tmp_path, "demo") as url:
        application = create_app(suite_settings(url))
        application.test_client_class = FreshContextClient
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def seed(app, *arguments):
    result = app.test_cli_runner().invoke(args=["seed-demo", *arguments])
    assert result.exit_code == 0, result.output
    return result.output


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Registration)),
        )


def test_seed_demo_builds_the_schema_and_the_printed_sign_in_works(empty_app):
    output = seed(empty_app)

    password = re.search(r"signs in with the password: (\S+)", output).group(1)
    admin = re.search(r"platform admin\s+(\S+)", output).group(1)
    client = empty_app.test_client()
    assert sign_in(client, admin, password).status_code == 302
    page = client.get("/c/red-talks-dakar-2024").get_data(as_text=True)
    assert "Objective 8: Save lives" in page
    assert "Dakar, Senegal" in page


def test_a_new_account_registers_late_for_the_live_demo_consultation(empty_app):
    seed(empty_app)
    client = empty_app.test_client()

    page = client.get("/c/red-talks-dakar-2024/register")

    assert page.status_code == 200
    assert 'name="password"' in page.get_data(as_text=True)


def test_seed_demo_has_every_stakeholder_group_and_the_roles_of_a_red_talk(empty_app):
    seed(empty_app)

    with empty_app.app_context():
        # The review's national consultation (demo/reviews.py) has its own, checked there.
        consultation = db.session.execute(select(Consultation).where(
            Consultation.slug == "red-talks-dakar-2024")).scalar_one()
        assert consultation.gcm_objectives == [7, 8]
        in_dakar = Registration.consultation_id == consultation.id
        groups = set(db.session.scalars(select(Registration.stakeholder_group).where(in_dakar)))
        roles = set(db.session.scalars(select(Registration.role).where(in_dakar)))
        participants = db.session.scalar(
            select(func.count()).select_from(Registration).where(
                in_dakar, Registration.role.in_([Role.participant, Role.rapporteur]),
                Registration.status == RegistrationStatus.approved))
        statuses = set(db.session.scalars(select(Registration.status).where(in_dakar)))
        groups_with_members = db.session.scalar(
            select(func.count(func.distinct(BreakoutAssignment.group_id))))
        comments = db.session.scalar(select(func.count()).select_from(Comment))
    assert groups >= set(StakeholderGroup) - {StakeholderGroup.other}
    assert roles == {Role.facilitator, Role.secretariat, Role.participant, Role.rapporteur,
                     Role.translator}
    assert participants == 20
    assert statuses == set(RegistrationStatus)
    assert groups_with_members == 4
    assert comments >= 8


def test_seed_demo_twice_changes_nothing(empty_app):
    seed(empty_app)
    before = counts(empty_app)

    seed(empty_app)

    assert counts(empty_app) == before


def test_generated_participants_are_registered_approved_and_added_only_once(empty_app):
    seed(empty_app)
    users, registrations = counts(empty_app)

    output = seed(empty_app, "--participants", "25")
    assert "Generated participants: 25 (25 added now)" in output
    assert counts(empty_app) == (users + 25, registrations + 25)

    seed(empty_app, "--participants", "25")
    assert counts(empty_app) == (users + 25, registrations + 25)
    with empty_app.app_context():
        generated = set(db.session.scalars(
            select(Registration.status).join(Registration.user)
            .where(User.email.startswith("generated-"))))
    assert generated == {RegistrationStatus.approved}


def test_create_admin_makes_an_admin_who_sees_the_audit_log(empty_app):
    seed(empty_app)
    result = empty_app.test_cli_runner().invoke(args=[
        "create-admin", "--email", "Secretariat.Admin@example.org", "--name", "Portal admin",
        "--country", "sn", "--password", "savanna-lantern-harbour-9"])
    assert result.exit_code == 0, result.output

    client = empty_app.test_client()
    sign_in(client, "secretariat.admin@example.org", "savanna-lantern-harbour-9")
    page = client.get("/admin/audit/", query_string={"action": "account.admin_granted"})
    assert page.status_code == 200
    assert "create-admin" in page.get_data(as_text=True)


def test_seed_demo_has_recommendations_in_every_state(empty_app):
    from recommendations.models import (
        Amendment,
        Recommendation,
        Vote,
        VoteRound,
    )

    seed(empty_app)

    with empty_app.app_context():
        dakar = db.session.scalar(select(Consultation.id).where(
            Consultation.slug == "red-talks-dakar-2024"))
        statuses = sorted(status.value for status in db.session.scalars(
            select(Recommendation.status).where(Recommendation.consultation_id == dakar)))
        open_rounds = db.session.scalar(select(func.count()).select_from(VoteRound).where(
            VoteRound.closed_at.is_(None)))
        amendments = {status.value for status in db.session.scalars(select(Amendment.status))}
        reservations = db.session.scalar(select(func.count()).select_from(Vote).join(
            VoteRound).where(Vote.reservation.is_not(None), VoteRound.consultation_id == dakar))
    assert statuses == ["adopted", "draft", "draft", "draft", "not_adopted"]
    assert open_rounds == 1
    assert amendments == {"proposed", "rejected"}
    assert reservations == 2


def test_seed_demo_has_outcome_documents_in_english_and_french_ready_to_download(empty_app):
    import io

    from docx import Document

    from recommendations.outcome.models import OutcomeDocument

    seed(empty_app)
    seed(empty_app)

    with empty_app.app_context():
        documents = {document.locale: (document.id, document.number)
                     for document in db.session.scalars(select(OutcomeDocument))}
    assert sorted(documents) == ["en", "fr"]
    assert {number for _id, number in documents.values()} == {1}
    client = empty_app.test_client()
    sign_in(client, "secretariat@redtalks.example", "dakar-demo-2024")
    texts = {}
    for locale, (document_id, _number) in documents.items():
        response = client.get(f"/c/red-talks-dakar-2024/outcome/versions/{document_id}"
                              "/document.docx")
        assert response.status_code == 200
        texts[locale] = "\n".join(paragraph.text for paragraph in
                                  Document(io.BytesIO(response.data)).paragraphs)
    assert "A regional network of focal points on missing migrants" in texts["en"]
    assert "Un réseau régional de points focaux sur les migrants disparus" in texts["fr"]
    assert "Red Talks Dakar 2024 : migrants disparus et migrants en détresse" in texts["fr"]
    assert "Rapporteur for" not in texts["en"] + texts["fr"]


def test_the_demos_votes_and_rounds_fall_on_the_consultations_days(empty_app):
    from datetime import date
    from zoneinfo import ZoneInfo

    from recommendations.models import Vote, VoteRound

    seed(empty_app)
    with empty_app.app_context():
        consultation = db.session.scalars(select(Consultation).where(
            Consultation.slug == "red-talks-dakar-2024")).one()
        zone = ZoneInfo(consultation.time_zone)
        days = {date(2024, 4, 23), date(2024, 4, 24)}
        in_dakar = VoteRound.consultation_id == consultation.id
        rounds = db.session.scalars(select(VoteRound).where(in_dakar)).all()
        moments = [moment for round_ in rounds for moment in (round_.opened_at, round_.closed_at)
                   if moment is not None]
        moments += db.session.scalars(select(Vote.cast_at).join(VoteRound).where(in_dakar)).all()
        assert rounds and moments
        assert {moment.astimezone(zone).date() for moment in moments} <= days

    client = empty_app.test_client()
    sign_in(client, "facilitator@redtalks.example", "dakar-demo-2024")
    results = client.get("/c/red-talks-dakar-2024/results").get_data(as_text=True)
    assert "closed Apr 24, 2024" in results


def test_a_french_reader_of_the_demo_reads_its_agenda_venue_and_organisers_in_french(empty_app):
    import html

    seed(empty_app)
    client = empty_app.test_client()
    sign_in(client, "secretariat@redtalks.example", "dakar-demo-2024")
    with empty_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "secretariat@redtalks.example"))
        user.preferred_locale = "fr"
        db.session.commit()
    page = html.unescape(client.get("/c/red-talks-dakar-2024").get_data(as_text=True))
    for french in ("Plénière d'ouverture", "Travaux en groupes : des engagements à l'action",
                   "Plénière : projets de recommandations et adoption", "Dakar, Sénégal",
                   "FICR, CICR, OIM, Croix-Rouge sénégalaise"):
        assert french in page
    assert "Opening plenary" not in page and "Dakar, Senegal" not in page
    # The French outcome document's form asks for none of them: they come from the texts.
    form = html.unescape(client.get("/c/red-talks-dakar-2024/outcome/texts/fr")
                         .get_data(as_text=True))
    assert "Opening plenary" not in form and "Dakar, Senegal" not in form


def test_a_demo_seeded_before_its_agenda_was_translated_gets_it_on_the_next_seed(empty_app):
    from consultations.models import AgendaItemTranslation, ConsultationTranslation

    seed(empty_app)
    with empty_app.app_context():
        db.session.execute(AgendaItemTranslation.__table__.delete())
        db.session.execute(ConsultationTranslation.__table__.update().values(venue="",
                                                                             organisers=""))
        db.session.commit()

    seed(empty_app)

    with empty_app.app_context():
        french = db.session.scalars(select(ConsultationTranslation)).one()
        titles = set(db.session.scalars(select(AgendaItemTranslation.title)))
    assert french.venue == "Dakar, Sénégal"
    assert "Plénière d'ouverture" in titles


def test_the_demo_seeds_on_a_machine_that_names_no_server(empty_app):
    """``make demo`` on a laptop: no SERVER_NAME; the e-mails the demo writes (its silence
    procedure closed) link to the portal it serves."""
    from portal.mail import OutgoingMail

    empty_app.config["SERVER_NAME"] = None
    seed(empty_app)
    with empty_app.app_context():
        bodies = db.session.scalars(select(OutgoingMail.body)).all()
    assert any("http://127.0.0.1:5000/reviews/" in body for body in bodies)
