"""The demo's review: "2024 GCM regional review for Africa", holding the Dakar consultation and
a smaller national consultation held in Senegal in French, with commitments made against their
adopted recommendations and the progress reported on them.

``seed_review`` is idempotent, as the rest of the demo: the review, the national consultation
and the commitments are looked up and created only when missing. It returns the review, for
the demo's synthesis to build on."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from consultations.models import (
    AdoptionRule,
    AttributionRule,
    Consultation,
    ConsultationStatus,
    Mode,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from demo.people import DEMO_DOMAIN
from portal.accounts.models import StakeholderGroup, User
from portal.accounts.operations import create_account, find_account
from portal.audit.operations import record_event
from portal.extensions import db
from recommendations import drafting, voting
from recommendations.models import Recommendation, RecommendationStatus, Vote
from reviews import commitments, setting_up
from reviews.models import CommitmentProgress, Review

REVIEW_SLUG = "2024-gcm-regional-review-for-africa"
SENEGAL_SLUG = "consultation-nationale-senegal-2024"
SENEGAL_STARTS = datetime(2024, 3, 14, 9, 0, tzinfo=UTC)

#: The national consultation's people: the demo's accounts by e-mail, and one of its own.
SENEGAL_PEOPLE = [
    (f"participant08@{DEMO_DOMAIN}", Role.participant),  # Government of Senegal
    (f"participant01@{DEMO_DOMAIN}", Role.rapporteur),   # Senegalese Red Cross Society
    (f"participant15@{DEMO_DOMAIN}", Role.participant),  # Caritas Senegal
    (f"participant12@{DEMO_DOMAIN}", Role.participant),  # IOM Regional Office
    (f"thiaroye@{DEMO_DOMAIN}", Role.participant),
]

#: Adopted in plenary, in French: title, theme, text, GCM objectives.
SENEGAL_RECOMMENDATIONS = [
    ("Un point focal national pour les migrants disparus", "Recherche et identification",
     "L'État du Sénégal désigne un point focal national chargé de recevoir les demandes de "
     "recherche des familles de migrants disparus et de les transmettre aux autorités et "
     "aux Sociétés nationales des pays de transit.", [8]),
    ("Des données ante mortem recueillies avec le consentement des familles",
     "Recherche et identification",
     "Les données ante mortem des migrants disparus sont recueillies auprès des familles avec "
     "leur consentement éclairé, protégées, et ne servent qu'à la recherche et à "
     "l'identification.", [8]),
    ("Un accompagnement psychosocial des familles", "Soutien aux familles",
     "Les familles de migrants disparus, à Dakar comme à Thiaroye-sur-Mer et en Casamance, "
     "bénéficient d'un accompagnement psychosocial et juridique de proximité.", [7, 8]),
    ("Des secours en mer coordonnés le long de la route atlantique", "Sauvetage",
     "Les autorités maritimes du Sénégal, de la Mauritanie et de l'Espagne coordonnent la "
     "recherche et le sauvetage des pirogues en détresse sur la route atlantique.", [8]),
]

#: Commitments: e-mail of who made it, the adopted recommendation (consultation slug and
#: position), action, due date, location, and the progress reported (progress, text, link).
COMMITMENTS = [
    (f"participant08@{DEMO_DOMAIN}", SENEGAL_SLUG, 0,
     "Désigner un point focal national à la Direction générale des Sénégalais de "
     "l'extérieur et publier ses coordonnées.", date(2025, 6, 30), "Dakar",
     [(CommitmentProgress.under_way, "Le point focal est désigné ; l'arrêté est en cours de "
       "signature.", "")]),
    (f"participant01@{DEMO_DOMAIN}", SENEGAL_SLUG, 2,
     "Former 40 volontaires au rétablissement des liens familiaux et à l'écoute des familles "
     "de migrants disparus.", date(2025, 3, 31), "Thiaroye-sur-Mer, Ziguinchor",
     [(CommitmentProgress.under_way, "20 volontaires formés à Thiaroye.", ""),
      (CommitmentProgress.done, "40 volontaires formés, dont 20 en Casamance.",
       "https://www.croix-rouge.sn/")]),
    (f"participant12@{DEMO_DOMAIN}", "red-talks-dakar-2024", 0,
     "Support the search and rescue coordination centres of Senegal and Mauritania with "
     "training and equipment.", date(2026, 12, 31), "Dakar, Nouakchott", []),
    (f"participant15@{DEMO_DOMAIN}", SENEGAL_SLUG, 1,
     "Accompagner 200 familles dans le dépôt de leurs demandes de recherche.",
     date(2025, 12, 31), "Dakar, Saint-Louis",
     [(CommitmentProgress.under_way, "85 familles accompagnées à ce jour.", "")]),
]


def seed_review(dakar: Consultation, accounts: dict[str, User], password_hash: str) -> Review:
    """The review holding the Dakar consultation and the national one, with its commitments."""
    team = accounts[f"secretariat@{DEMO_DOMAIN}"]
    facilitator = accounts[f"facilitator@{DEMO_DOMAIN}"]
    senegal = _senegal_consultation(facilitator, team, password_hash)
    review = setting_up.find_review(REVIEW_SLUG)
    if review is None:
        review = setting_up.create_review(
            team, title="2024 GCM regional review for Africa", region=Region.africa,
            gcm_objectives=[7, 8, 23], starts_on=date(2024, 9, 24), ends_on=date(2024, 9, 26),
            description="The regional review of the Global Compact for Migration in Africa: the "
                        "recommendations of the Dakar Red Talks and of national consultations "
                        "put together, validated by the Member States, and followed up.",
            is_public=True)
    attached = {link.consultation_id for link in review.attachments}
    for consultation in (dakar, senegal):
        if consultation.id not in attached:
            setting_up.attach_consultation(review, consultation, facilitator)
    if not commitments.commitments_of(review):
        _make_commitments(review)
    db.session.flush()
    return review


def _senegal_consultation(facilitator: User, secretariat: User,
                          password_hash: str) -> Consultation:
    consultation = db.session.scalar(select(Consultation).where(
        Consultation.slug == SENEGAL_SLUG))
    if consultation is not None:
        return consultation
    consultation = Consultation(
        slug=SENEGAL_SLUG, title="Consultation nationale du Sénégal sur les migrations",
        summary="Consultation nationale préparatoire à l'examen régional 2024 du Pacte mondial "
                "sur les migrations : migrants disparus et soutien à leurs familles.",
        description="L'État, la Croix-Rouge sénégalaise, les agences des Nations Unies et la "
                    "société civile s'accordent sur des recommandations pour l'examen régional.",
        region=Region.africa, organisers="Direction générale des Sénégalais de l'extérieur, "
                                         "Croix-Rouge sénégalaise",
        venue="Dakar, Sénégal", mode=Mode.in_person, starts_at=SENEGAL_STARTS,
        ends_at=SENEGAL_STARTS + timedelta(hours=8), time_zone="Africa/Dakar",
        working_languages=["fr"], status=ConsultationStatus.live,
        attribution_rule=AttributionRule.attributed,
        adoption_rule=AdoptionRule.simple_majority, created_by_id=facilitator.id)
    consultation.gcm_objectives = [7, 8]
    db.session.add(consultation)
    db.session.flush()
    record_event("consultation.created", target=consultation, consultation=consultation)
    _register(consultation, facilitator, Role.facilitator)
    _register(consultation, secretariat, Role.secretariat)
    for email, role in SENEGAL_PEOPLE:
        _register(consultation, _person(email, password_hash), role)
    db.session.flush()
    _adopt_recommendations(consultation, facilitator)
    consultation.status = ConsultationStatus.closed
    db.session.flush()
    return consultation


def _person(email: str, password_hash: str) -> User:
    found = find_account(email)
    if found is not None:
        return found
    return create_account(
        email=email, password_hash=password_hash,
        name="Déléguée de l'Association des jeunes rapatriés de Thiaroye",
        organisation="Association des jeunes rapatriés de Thiaroye-sur-Mer",
        stakeholder_group=StakeholderGroup.migrant_organisation, country="SN",
        preferred_locale="fr")


def _register(consultation: Consultation, user: User, role: Role) -> None:
    db.session.add(Registration(
        consultation=consultation, user=user, role=role, status=RegistrationStatus.approved,
        organisation=user.organisation, stakeholder_group=user.stakeholder_group,
        country=user.country, consented_at=SENEGAL_STARTS - timedelta(days=10),
        status_changed_at=SENEGAL_STARTS - timedelta(days=10),
        checked_in_at=SENEGAL_STARTS - timedelta(minutes=15)))


def _adopt_recommendations(consultation: Consultation, facilitator: User) -> None:
    """Drafted by the rapporteur, adopted in plenary by simple majority, one vote with a
    reservation (the government's, on the data)."""
    rapporteur = find_account(f"participant01@{DEMO_DOMAIN}")
    voters = [find_account(email) for email, role in SENEGAL_PEOPLE]
    for number, (title, theme, text, objectives) in enumerate(SENEGAL_RECOMMENDATIONS):
        recommendation = drafting.create_recommendation(
            consultation, rapporteur, title=title, theme=theme, text=text,
            gcm_objectives=objectives, locale="fr")
        round_ = voting.open_round(recommendation, facilitator)
        for voter in voters:
            if number == 1 and voter.stakeholder_group == StakeholderGroup.member_state:
                voting.cast_vote(round_, voter, "support_with_reservations",
                                 "Dans le respect de la loi sur les données personnelles.")
            else:
                voting.cast_vote(round_, voter, "support")
        voting.close_round(round_, facilitator, confirmed=True)
        moment = SENEGAL_STARTS + timedelta(hours=5, minutes=20 * number)
        round_.opened_at, round_.closed_at = moment, moment + timedelta(minutes=10)
        recommendation.created_at = SENEGAL_STARTS + timedelta(hours=2)
        db.session.execute(update(Vote).where(Vote.round_id == round_.id).values(
            cast_at=moment + timedelta(minutes=1), changed_at=None))


def _make_commitments(review: Review) -> None:
    by_slug = {link.consultation.slug: link.consultation for link in review.attachments}
    for email, slug, position, action, due_on, location, reports in COMMITMENTS:
        maker = find_account(email)
        adopted = db.session.scalars(
            select(Recommendation).where(
                Recommendation.consultation_id == by_slug[slug].id,
                Recommendation.status == RecommendationStatus.adopted)
            .order_by(Recommendation.position, Recommendation.id)).all()
        commitment = commitments.make_commitment(
            review, maker, target=f"r{adopted[position].id}", action=action, due_on=due_on,
            location=location, organisation=maker.organisation)
        commitment.created_at = datetime(2024, 10, 15, 10, 0, tzinfo=UTC)
        for number, (progress, text, link) in enumerate(reports):
            report = commitments.report_progress(commitment, maker, progress=progress,
                                                 text=text, link=link)
            report.reported_at = datetime(2025, 2 + 4 * number, 10, 9, 0, tzinfo=UTC)
