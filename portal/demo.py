"""Demo data: a consultation modelled on the April 2024 Dakar Red Talks.

``seed_demo`` is idempotent: people and the consultation are looked up by e-mail address and
slug and created only when missing, so running it twice changes nothing.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, insert, select

from consultations.models import (
    AdoptionRule,
    ApprovalRule,
    Attendance,
    AttributionRule,
    Consultation,
    ConsultationStatus,
    Mode,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal.accounts.models import StakeholderGroup, User, new_session_token
from portal.accounts.operations import create_account, find_account, hash_password
from portal.audit.operations import record_event
from portal.extensions import db

#: Printed by seed-demo and given in the README: demo accounts are public by design.
DEMO_PASSWORD = "dakar-demo-2024"  # noqa: S105
DEMO_SLUG = "red-talks-dakar-2024"
DEMO_DOMAIN = "redtalks.example"
GENERATED_PREFIX = "generated-"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    organisation: str
    group: StakeholderGroup
    country: str
    locale: str = "en"
    role: Role = Role.participant


G = StakeholderGroup

#: Real organisations from across Africa; people are named by what they do there.
PARTICIPANTS = [
    ("Senegalese Red Cross Society", G.red_cross, "SN", "fr"),
    ("Moroccan Red Crescent", G.red_cross, "MA", "fr"),
    ("Mauritanian Red Crescent", G.red_cross, "MR", "fr"),
    ("Red Cross Society of Niger", G.red_cross, "NE", "fr"),
    ("Kenya Red Cross Society", G.red_cross, "KE", "en"),
    ("IFRC Africa Regional Office", G.red_cross, "KE", "en"),
    ("ICRC Regional Delegation in Dakar", G.red_cross, "SN", "fr"),
    ("Government of Senegal, General Directorate of Senegalese Abroad", G.member_state, "SN", "fr"),
    ("Ministry of Foreign Affairs of The Gambia", G.member_state, "GM", "en"),
    ("Ministry of Interior and Decentralisation of Mali", G.member_state, "ML", "fr"),
    ("Ministry of Foreign Affairs of Ghana", G.member_state, "GH", "en"),
    ("IOM Regional Office for West and Central Africa", G.un_agency, "SN", "en"),
    ("UNHCR Regional Bureau for West and Central Africa", G.un_agency, "SN", "fr"),
    ("ECOWAS Commission, Free Movement Directorate", G.un_agency, "NG", "en"),
    ("Caritas Senegal", G.civil_society, "SN", "fr"),
    ("Alarm Phone Sahara", G.civil_society, "NE", "fr"),
    ("Malian Association of Deportees (AME)", G.migrant_organisation, "ML", "fr"),
    ("Cheikh Anta Diop University of Dakar", G.academia, "SN", "fr"),
    ("African Centre for Migration & Society, University of the Witwatersrand", G.academia,
     "ZA", "en"),
    ("Sonatel", G.private_sector, "SN", "fr"),
]

#: Participants at these positions draft for their breakout as rapporteurs.
RAPPORTEURS = {0, 11}


def demo_people() -> list[DemoPerson]:
    people = [
        DemoPerson(f"facilitator@{DEMO_DOMAIN}", "Facilitator, IFRC Africa Regional Office",
                   "IFRC Africa Regional Office", G.red_cross, "KE", role=Role.facilitator),
        DemoPerson(f"secretariat@{DEMO_DOMAIN}", "Secretariat, IOM Regional Office Dakar",
                   "IOM Regional Office for West and Central Africa", G.un_agency, "SN",
                   role=Role.secretariat),
    ]
    for number, (organisation, group, country, locale) in enumerate(PARTICIPANTS):
        role = Role.rapporteur if number in RAPPORTEURS else Role.participant
        people.append(
            DemoPerson(
                f"participant{number + 1:02d}@{DEMO_DOMAIN}",
                f"Rapporteur for {organisation}" if role == Role.rapporteur
                else f"Delegate of {organisation}",
                organisation, group, country, locale, role,
            )
        )
    return people


def _demo_consultation(facilitator: User) -> Consultation:
    consultation = Consultation(
        slug=DEMO_SLUG,
        title="Red Talks Dakar 2024: missing migrants and migrants in distress",
        summary=(
            "Whole-of-society consultation for the 2024 GCM regional review for Africa on "
            "saving lives, searching for missing migrants and humanitarian assistance to "
            "migrants in distress."
        ),
        description=(
            "States, UN agencies, Red Cross and Red Crescent National Societies, civil society, "
            "migrant organisations and academia from across Africa meet to agree actionable "
            "recommendations on Objective 8 of the Global Compact for Migration and on "
            "humanitarian assistance to migrants in distress.\n\n"
            "Breakout groups work on search and identification of missing migrants, support "
            "to their families, and access to essential services along migration routes. "
            "The recommendations adopted in plenary go to the regional review."
        ),
        region=Region.africa,
        organisers="IFRC, ICRC, IOM, Senegalese Red Cross Society",
        venue="Dakar, Senegal",
        mode=Mode.hybrid,
        starts_at=datetime(2024, 4, 23, 8, 30, tzinfo=UTC),
        ends_at=datetime(2024, 4, 24, 17, 0, tzinfo=UTC),
        time_zone="Africa/Dakar",
        working_languages=["en", "fr"],
        status=ConsultationStatus.live,
        capacity=120,
        approval_rule=ApprovalRule.facilitator,
        invitation_only=True,
        attribution_rule=AttributionRule.chatham_house,
        adoption_rule=AdoptionRule.consensus,
        created_by_id=facilitator.id,
    )
    consultation.gcm_objectives = [7, 8]
    return consultation


def _register(consultation: Consultation, user: User, role: Role, now: datetime) -> None:
    exists = db.session.execute(
        select(Registration.id).where(
            Registration.consultation_id == consultation.id, Registration.user_id == user.id
        )
    ).first()
    if exists:
        return
    db.session.add(
        Registration(
            consultation=consultation, user=user, role=role,
            status=RegistrationStatus.approved,
            organisation=user.organisation, stakeholder_group=user.stakeholder_group,
            country=user.country, attendance=Attendance.in_person,
            consented_at=now, status_changed_at=now,
        )
    )


@dataclass
class SeedReport:
    admin_email: str
    people: list[DemoPerson]
    consultation: Consultation
    generated_added: int
    generated_total: int


def seed_demo(generated_participants: int = 0) -> SeedReport:
    now = datetime.now(UTC)
    password_hash = hash_password(DEMO_PASSWORD)
    admin_email = f"admin@{DEMO_DOMAIN}"
    admin = find_account(admin_email)
    if admin is None:
        admin = create_account(
            email=admin_email, password_hash=password_hash, name="Platform administrator",
            organisation="Red Talks portal", stakeholder_group=G.other, country="SN",
        )
        admin.is_admin = True
        record_event("account.admin_granted", target=admin, by="seed-demo")

    people = demo_people()
    accounts = {}
    for person in people:
        accounts[person.email] = find_account(person.email) or create_account(
            email=person.email, password_hash=password_hash, name=person.name,
            organisation=person.organisation, stakeholder_group=person.group,
            country=person.country, preferred_locale=person.locale,
        )

    consultation = db.session.execute(
        select(Consultation).where(Consultation.slug == DEMO_SLUG)
    ).scalar_one_or_none()
    if consultation is None:
        consultation = _demo_consultation(accounts[people[0].email])
        db.session.add(consultation)
        db.session.flush()
        record_event("consultation.created", target=consultation, consultation=consultation)
    for person in people:
        _register(consultation, accounts[person.email], person.role, now)
    db.session.flush()

    added = _add_generated_participants(consultation, generated_participants, password_hash, now)
    total = db.session.execute(
        select(func.count()).select_from(User).where(User.email.startswith(GENERATED_PREFIX))
    ).scalar_one()
    return SeedReport(admin_email, people, consultation, added, total)


def _add_generated_participants(
    consultation: Consultation, wanted: int, password_hash: str, now: datetime
) -> int:
    """Bring the generated participants up to ``wanted``, in bulk: one statement per table."""
    have = db.session.execute(
        select(func.count()).select_from(User).where(User.email.startswith(GENERATED_PREFIX))
    ).scalar_one()
    if wanted <= have:
        return 0
    groups = list(StakeholderGroup)
    countries = ["SN", "ML", "NE", "MR", "MA", "GM", "GN", "CI", "BF", "NG", "GH", "KE", "ET",
                 "ZA", "TN", "EG", "CM", "CD", "SD", "LY"]
    users = []
    for number in range(have + 1, wanted + 1):
        group = groups[number % len(groups)]
        users.append({
            "email": f"{GENERATED_PREFIX}{number:05d}@{DEMO_DOMAIN}",
            "password_hash": password_hash,
            "name": f"Generated participant {number}",
            "organisation": f"{group.label} delegation {number}",
            "stakeholder_group": group,
            "country": countries[number % len(countries)],
            "preferred_locale": "fr" if number % 2 else "en",
            "is_admin": False,
            "session_token": new_session_token(),
            "created_at": now,
        })
    db.session.execute(insert(User), users)
    created = db.session.execute(
        select(User.id, User.organisation, User.stakeholder_group, User.country).where(
            User.email.in_([user["email"] for user in users])
        )
    ).all()
    db.session.execute(
        insert(Registration),
        [
            {
                "consultation_id": consultation.id,
                "user_id": user_id,
                "role": Role.participant,
                "status": RegistrationStatus.approved,
                "organisation": organisation,
                "stakeholder_group": group,
                "country": country,
                "attendance": Attendance.online if user_id % 3 == 0 else Attendance.in_person,
                "accessibility_needs": "",
                "notes": "",
                "consented_at": now,
                "created_at": now,
                "status_changed_at": now,
            }
            for user_id, organisation, group, country in created
        ],
    )
    return len(users)
