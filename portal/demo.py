"""Demo data: a consultation modelled on the April 2024 Dakar Red Talks.

``seed_demo`` is idempotent: people and the consultation are looked up by e-mail address and
slug and created only when missing, so running it twice changes nothing.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, update

from consultations.models import (
    AdoptionRule,
    AgendaItemKind,
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
from portal.accounts.models import StakeholderGroup, User
from portal.accounts.operations import create_account, find_account, hash_password
from portal.audit.operations import record_event
from portal.extensions import db

#: Printed by seed-demo and given in the README: demo accounts are public by design.
DEMO_STARTS = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)
DEMO_PASSWORD = "dakar-demo-2024"  # noqa: S105  # nosec B105
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
RAPPORTEURS = {0, 5, 11, 16}


def demo_people() -> list[DemoPerson]:
    people = [
        DemoPerson(f"facilitator@{DEMO_DOMAIN}", "Facilitator, IFRC Africa Regional Office",
                   "IFRC Africa Regional Office", G.red_cross, "KE", role=Role.facilitator),
        DemoPerson(f"secretariat@{DEMO_DOMAIN}", "Secretariat, IOM Regional Office Dakar",
                   "IOM Regional Office for West and Central Africa", G.un_agency, "SN",
                   role=Role.secretariat),
        DemoPerson(f"translator@{DEMO_DOMAIN}", "Translator, Arabic and French",
                   "IOM Regional Office for West and Central Africa", G.un_agency, "SN", "ar",
                   role=Role.translator),
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
        consent_text=(
            "The IFRC Africa Regional Office keeps your name, e-mail address, organisation, "
            "stakeholder group and country to run this consultation: to admit you, to form "
            "the breakout groups and to count your votes. Under the Chatham House Rule, no "
            "participant is named in the outcome document.\n\n"
            "Personal data are removed after the regional review; each participant can see, "
            "download or delete theirs from their account at any time."
        ),
        region=Region.africa,
        organisers="IFRC, ICRC, IOM, Senegalese Red Cross Society",
        venue="Dakar, Senegal",
        mode=Mode.hybrid,
        starts_at=DEMO_STARTS,
        ends_at=datetime(2024, 4, 24, 17, 0, tzinfo=UTC),
        time_zone="Africa/Dakar",
        working_languages=["en", "fr"],
        status=ConsultationStatus.live,
        # The 16 approved participants fill the places (rapporteurs and the team take none):
        # later registrations join the waitlist until the facilitators add places.
        capacity=16,
        approval_rule=ApprovalRule.facilitator,
        # Open to everyone, late and on-site registrations included, as on the day.
        invitation_only=False,
        registration_open_while_live=True,
        attribution_rule=AttributionRule.chatham_house,
        adoption_rule=AdoptionRule.consensus,
        created_by_id=facilitator.id,
    )
    consultation.gcm_objectives = [7, 8]
    return consultation


def _register(consultation: Consultation, user: User, role: Role, now: datetime,
              status: RegistrationStatus = RegistrationStatus.approved) -> None:
    exists = db.session.execute(
        select(Registration.id).where(
            Registration.consultation_id == consultation.id, Registration.user_id == user.id
        )
    ).first()
    if exists:
        return
    db.session.add(
        Registration(
            consultation=consultation, user=user, role=role, status=status,
            waitlisted_at=now if status == RegistrationStatus.waitlisted else None,
            organisation=user.organisation, stakeholder_group=user.stakeholder_group,
            country=user.country, attendance=Attendance.in_person,
            consented_at=now, status_changed_at=now,
            # The approved came through the check-in desk on the first morning.
            checked_in_at=(consultation.starts_at - timedelta(minutes=20)
                           if status == RegistrationStatus.approved else None),
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
    # Registered two weeks before the consultation, as its people were, not on the day the
    # demo is seeded.
    now = DEMO_STARTS - timedelta(days=14)
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
    _register_others(consultation, password_hash, now)
    if not consultation.agenda_items:
        _hold_the_day(consultation, accounts, people)
    if not _has_recommendations(consultation):
        _hold_the_plenary(consultation, accounts, people)
    _translate(consultation, accounts, people)
    _write_the_outcome(consultation, accounts, people)

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
            "created_at": now,
        })
    # Benchmark participants come on top of the places the demo has.
    consultation.capacity = max(consultation.capacity or 0, 20 + wanted)
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


#: Registrations in the other statuses, so that the facilitators' views show each of them.
OTHER_REGISTRANTS = [
    ("Mixed Migration Centre, West Africa", G.civil_society, "SN", RegistrationStatus.pending),
    ("Abdou Moumouni University of Niamey", G.academia, "NE", RegistrationStatus.pending),
    ("Red Cross Society of Guinea", G.red_cross, "GN", RegistrationStatus.waitlisted),
    ("Ministry of Foreign Affairs of Côte d'Ivoire", G.member_state, "CI",
     RegistrationStatus.waitlisted),
    ("Moroccan Association for Human Rights (AMDH)", G.civil_society, "MA",
     RegistrationStatus.declined),
    ("Tunisian Red Crescent", G.red_cross, "TN", RegistrationStatus.cancelled),
]


def _register_others(consultation: Consultation, password_hash: str, now: datetime) -> None:
    for number, (organisation, group, country, status) in enumerate(OTHER_REGISTRANTS, 1):
        email = f"registrant{number:02d}@{DEMO_DOMAIN}"
        user = find_account(email) or create_account(
            email=email, password_hash=password_hash, name=f"Delegate of {organisation}",
            organisation=organisation, stakeholder_group=group, country=country,
            preferred_locale="fr")
        _register(consultation, user, Role.participant, now, status)


BREAKOUT_GROUPS = [
    ("Prevention of deaths and disappearances", "fr", [
        "Which routes and points of departure most need search and rescue capacity?",
        "How can reliable information reach migrants before they set out?",
    ]),
    ("Search and identification", "en", [
        "How can forensic data on the dead be shared across borders and still protected?",
        "What would a regional focal point on missing migrants need to work?",
    ]),
    ("Support to families of missing migrants", "fr", [
        "How should families be informed and accompanied, and by whom?",
        "Which legal and psychosocial support do families lack today?",
    ]),
    ("Humanitarian assistance to migrants in distress", "en", [
        "How do we guarantee access to essential services whatever a migrant's status?",
        "What must a firewall between assistance and immigration enforcement include?",
    ]),
]

DEMO_COMMENTS = [
    "Along the Atlantic route the departures from Senegal and The Gambia have no coordinated "
    "rescue at all once boats pass the territorial waters. We need shared alerts between "
    "coastguards, and the National Societies ready to receive people on landing.",
    "In Agadez the Red Cross runs water points in the desert, but nobody is told where they "
    "are before leaving. Information at bus stations and in WhatsApp groups would save lives.",
    "The Restoring Family Links network already handles tracing requests across borders. "
    "Could States agree to a minimum set of data (photos, belongings, DNA samples) collected "
    "on every body found?",
    "Families told us they were asked for money by people promising news. A single, free and "
    "trusted contact point per country is the first thing they need.",
    "Health care at landing sites must not depend on documents. In our clinics we see people "
    "who avoided treatment for weeks out of fear of being reported.",
    "We support a firewall: data collected to give assistance must never be used for "
    "enforcement. Without it the trust we need simply is not there.",
]


def _hold_the_day(consultation: Consultation, accounts: dict, people: list) -> None:
    """The agenda of the Dakar day, its four breakout groups with the assignment published,
    and a first exchange in each group's threads."""
    from consultations import breakouts, discussion, operations

    facilitator = accounts[people[0].email]
    day = consultation.starts_at
    operations.add_agenda_item(
        consultation, facilitator, kind=AgendaItemKind.plenary, title="Opening plenary",
        description="Welcome, the state of the GCM review for Africa, and the day's method.",
        starts_at=day, ends_at=day + timedelta(hours=1))
    round_ = operations.add_agenda_item(
        consultation, facilitator, kind=AgendaItemKind.breakout_round,
        title="Breakout round: from commitments to action",
        starts_at=day + timedelta(hours=1, minutes=30), ends_at=day + timedelta(hours=4))
    operations.add_agenda_item(
        consultation, facilitator, kind=AgendaItemKind.plenary,
        title="Plenary: draft recommendations and adoption",
        # On the second day, when the demo's votes were held.
        starts_at=day + timedelta(days=1), ends_at=day + timedelta(days=1, hours=8))
    rapporteurs = [accounts[person.email] for person in people if person.role == Role.rapporteur]
    for position, (theme, language, questions) in enumerate(BREAKOUT_GROUPS):
        operations.add_breakout_group(
            round_, facilitator, name=f"Group {position + 1}", theme=theme,
            room=f"Salle {position + 1}",
            guiding_questions=questions, capacity=8, language=language,
            rapporteur=rapporteurs[position] if position < len(rapporteurs) else None)
    breakouts.propose(round_, facilitator)
    breakouts.publish(round_, facilitator)
    for position, group in enumerate(round_.groups):
        members = breakouts.members_of(group)
        thread = discussion.threads_of(consultation, group)[0]
        for offset, registration in enumerate(members[:3]):
            text = DEMO_COMMENTS[(position + offset) % len(DEMO_COMMENTS)]
            discussion.post_comment(thread, registration.user, text)


DEMO_RECOMMENDATIONS = [
    ("A regional network of focal points on missing migrants",
     "Search and identification",
     "States, with the support of IOM, ICRC and National Red Cross and Red Crescent Societies, "
     "should each designate a focal point on missing migrants and connect them in a regional "
     "network that exchanges tracing requests and forensic data under agreed data protection "
     "standards.", [8]),
    ("Safe landing and first assistance",
     "Humanitarian assistance to migrants in distress",
     "Coastal States should guarantee that every person rescued at sea is landed at a place "
     "where their life and safety are not threatened and receives first aid, water, food and "
     "information, whatever their status.", [7, 8]),
    ("A firewall between assistance and enforcement",
     "Humanitarian assistance to migrants in distress",
     "Personal data collected to provide humanitarian assistance should never be used for "
     "immigration enforcement.", [7]),
    ("Support to the families of missing migrants",
     "Support to families of missing migrants",
     "States should give the families of missing migrants access to information, psychosocial "
     "support and a legal status that recognises their situation [within twelve months] "
     "[without delay].", [8]),
    ("Information before departure",
     "Prevention of deaths and disappearances",
     "States and humanitarian organisations should provide reliable information on the risks "
     "of irregular routes and on the help available along them, in the languages migrants "
     "speak, at points of departure and transit.", [7, 8]),
]

DEMO_RESERVATIONS = [
    "Subject to the national law on personal data, which is being revised.",
    "Our delegation supports the network but cannot commit to new funding this year.",
]


def _has_recommendations(consultation: Consultation) -> bool:
    from recommendations.models import Recommendation

    return db.session.scalar(select(func.count()).select_from(Recommendation).where(
        Recommendation.consultation_id == consultation.id)) > 0


def _hold_the_plenary(consultation: Consultation, accounts: dict, people: list) -> None:
    """Recommendations in every state: adopted with reservations, not adopted, drafts with
    amendments and with text still in brackets, and one vote open."""
    from recommendations import drafting, voting

    facilitator = accounts[people[0].email]
    rapporteur = next(accounts[p.email] for p in people if p.role == Role.rapporteur)
    voters = [accounts[p.email] for p in people if p.role in (Role.participant,
                                                              Role.rapporteur)]
    made = [drafting.create_recommendation(consultation, rapporteur, title=title, theme=theme,
                                           text=text, gcm_objectives=objectives)
            for title, theme, text, objectives in DEMO_RECOMMENDATIONS]
    adopted, refused, draft, bracketed, open_now = made

    # Drafted in the breakouts of the first day; voted in the plenary of the second.
    first_day, plenary = consultation.starts_at, consultation.starts_at + timedelta(days=1)
    for recommendation in made:
        _date_drafting(recommendation, first_day + timedelta(hours=7))

    round_ = voting.open_round(adopted, facilitator)
    for number, voter in enumerate(voters):
        if number < len(DEMO_RESERVATIONS):
            voting.cast_vote(round_, voter, "support_with_reservations",
                             DEMO_RESERVATIONS[number])
        else:
            voting.cast_vote(round_, voter, "abstain" if number % 7 == 0 else "support")
    voting.close_round(round_, facilitator)
    _date_round(round_, plenary + timedelta(hours=1, minutes=30), minutes=10)

    round_ = voting.open_round(refused, facilitator)
    for number, voter in enumerate(voters):
        voting.cast_vote(round_, voter, "oppose" if number in (3, 9) else "support")
    voting.close_round(round_, facilitator)
    _date_round(round_, plenary + timedelta(hours=2), minutes=10)

    amendment = drafting.propose_amendment(
        draft, voters[4], text=draft.current_version.text.replace(
            "never be used", "never be shared with or used by authorities"),
        rationale="Sharing is where the harm starts, not only use.")
    for voter in voters[5:9]:
        drafting.support_amendment(amendment, voter)
    rejected = drafting.propose_amendment(
        draft, voters[10], text="Personal data should not normally be used for enforcement.",
        rationale="States need flexibility.")
    drafting.reject_amendment(rejected, facilitator,
                              "It weakens the principle the breakout group agreed.")
    amendment.created_at = rejected.created_at = plenary + timedelta(minutes=45)
    rejected.decided_at = plenary + timedelta(hours=1)
    del bracketed  # stays a draft with text under negotiation

    round_ = voting.open_round(open_now, facilitator)
    for voter in voters[:6]:
        voting.cast_vote(round_, voter, "support")
    _date_round(round_, plenary + timedelta(hours=2, minutes=30), minutes=None)
    db.session.flush()


def _date_drafting(recommendation, moment: datetime) -> None:
    """The demo's texts were written during the consultation, not on the day it is seeded."""
    recommendation.created_at = moment
    for version in recommendation.versions:
        version.created_at = moment


def _date_round(round_, opened_at: datetime, minutes: int | None) -> None:
    """Put a demo round, and its votes, in the plenary: open for ``minutes`` (None: still
    open)."""
    from recommendations.models import Vote

    round_.opened_at = opened_at
    if minutes is not None:
        round_.closed_at = opened_at + timedelta(minutes=minutes)
    db.session.execute(update(Vote).where(Vote.round_id == round_.id).values(
        cast_at=opened_at + timedelta(minutes=1), changed_at=None))
    db.session.flush()


#: The demo recommendations in French: title and text of their current versions.
FRENCH_RECOMMENDATIONS = [
    ("Un réseau régional de points focaux sur les migrants disparus",
     "Les États, avec l'appui de l'OIM, du CICR et des Sociétés nationales de la Croix-Rouge "
     "et du Croissant-Rouge, devraient chacun désigner un point focal sur les migrants "
     "disparus et les relier au sein d'un réseau régional qui échange les demandes de "
     "recherche et les données médico-légales selon des normes de protection des données "
     "convenues."),
    ("Débarquement sûr et première assistance",
     "Les États côtiers devraient garantir que toute personne secourue en mer soit débarquée "
     "dans un lieu où sa vie et sa sécurité ne sont pas menacées et reçoive les premiers "
     "secours, de l'eau, de la nourriture et des informations, quel que soit son statut."),
    ("Un pare-feu entre l'assistance et le contrôle de l'immigration",
     "Les données personnelles recueillies pour fournir une assistance humanitaire ne "
     "devraient jamais être utilisées à des fins de contrôle de l'immigration."),
    ("Soutien aux familles des migrants disparus",
     "Les États devraient donner aux familles des migrants disparus accès à l'information, à "
     "un soutien psychosocial et à un statut juridique qui reconnaisse leur situation [dans "
     "un délai de douze mois] [sans délai]."),
    ("Information avant le départ",
     "Les États et les organisations humanitaires devraient fournir des informations fiables "
     "sur les risques des routes irrégulières et sur l'aide disponible le long de celles-ci, "
     "dans les langues que parlent les migrants, aux points de départ et de transit."),
]

#: The consultation's title, summary, description, venue and organisers in French, as
#: participants read them (the French outcome document takes its names from here too).
FRENCH_CONSULTATION = {
    "title": "Red Talks Dakar 2024 : migrants disparus et migrants en détresse",
    "venue": "Dakar, Sénégal",
    "organisers": "FICR, CICR, OIM, Croix-Rouge sénégalaise",
    "summary": (
        "Consultation associant l'ensemble de la société pour l'examen régional 2024 du Pacte "
        "mondial sur les migrations en Afrique : sauver des vies, rechercher les migrants "
        "disparus et porter assistance aux migrants en détresse."),
    "description": (
        "Des États, des organismes des Nations Unies, des Sociétés nationales de la "
        "Croix-Rouge et du Croissant-Rouge, la société civile, des organisations de migrants "
        "et des universitaires de toute l'Afrique se réunissent pour convenir de "
        "recommandations concrètes sur l'objectif 8 du Pacte mondial pour des migrations "
        "sûres, ordonnées et régulières et sur l'assistance humanitaire aux migrants en "
        "détresse.\n\n"
        "Les groupes de travail portent sur la recherche et l'identification des migrants "
        "disparus, le soutien à leurs familles et l'accès aux services essentiels le long des "
        "routes migratoires. Les recommandations adoptées en plénière sont transmises à "
        "l'examen régional."),
}

#: The agenda items in French: title and description, in the agenda's order.
FRENCH_AGENDA = [
    ("Plénière d'ouverture",
     "Accueil, état de l'examen du Pacte mondial sur les migrations pour l'Afrique, et méthode "
     "de la journée."),
    ("Travaux en groupes : des engagements à l'action", ""),
    ("Plénière : projets de recommandations et adoption", ""),
]

#: The breakout groups in French: name, theme and guiding questions, in the groups' order.
FRENCH_GROUPS = [
    ("Groupe 1", "Prévention des décès et des disparitions", [
        "Quels itinéraires et points de départ ont le plus besoin de moyens de recherche et de "
        "sauvetage ?",
        "Comment une information fiable peut-elle atteindre les migrants avant leur départ ?",
    ]),
    ("Groupe 2", "Recherche et identification", [
        "Comment partager par-delà les frontières les données médico-légales sur les défunts "
        "tout en les protégeant ?",
        "De quoi un point focal régional sur les migrants disparus aurait-il besoin pour "
        "fonctionner ?",
    ]),
    ("Groupe 3", "Soutien aux familles des migrants disparus", [
        "Comment les familles doivent-elles être informées et accompagnées, et par qui ?",
        "Quel soutien juridique et psychosocial manque aujourd'hui aux familles ?",
    ]),
    ("Groupe 4", "Assistance humanitaire aux migrants en détresse", [
        "Comment garantir l'accès aux services essentiels quel que soit le statut du migrant ?",
        "Que doit comprendre un pare-feu entre l'assistance et le contrôle de l'immigration ?",
    ]),
]

#: The demo recommendations in Arabic: title and text of their current versions.
ARABIC_RECOMMENDATIONS = [
    ("شبكة إقليمية لجهات التنسيق المعنية بالمهاجرين المفقودين",
     "ينبغي لكل دولة، بدعم من المنظمة الدولية للهجرة واللجنة الدولية للصليب الأحمر والجمعيات "
     "الوطنية للصليب الأحمر والهلال الأحمر، أن تعيّن جهة تنسيق معنية بالمهاجرين المفقودين، "
     "وأن تربط هذه الجهات في شبكة إقليمية تتبادل طلبات البحث والبيانات الطبية الشرعية وفق "
     "معايير متفق عليها لحماية البيانات."),
    ("الإنزال الآمن والمساعدة الأولى",
     "ينبغي للدول الساحلية أن تضمن إنزال كل شخص يُنقَذ في البحر في مكان لا تكون فيه حياته "
     "وسلامته مهددتين، وأن يتلقى الإسعافات الأولية والماء والغذاء والمعلومات، أياً كان وضعه."),
    ("جدار فاصل بين المساعدة وإنفاذ قوانين الهجرة",
     "لا ينبغي أبداً استخدام البيانات الشخصية التي تُجمع لتقديم المساعدة الإنسانية لأغراض "
     "إنفاذ قوانين الهجرة."),
    ("دعم أسر المهاجرين المفقودين",
     "ينبغي للدول أن تتيح لأسر المهاجرين المفقودين الحصول على المعلومات والدعم النفسي "
     "والاجتماعي ووضع قانوني يعترف بحالتها [في غضون اثني عشر شهراً] [دون تأخير]."),
    ("المعلومات قبل المغادرة",
     "ينبغي للدول والمنظمات الإنسانية أن تقدم معلومات موثوقة عن مخاطر الطرق غير النظامية "
     "وعن المساعدة المتاحة على امتدادها، باللغات التي يتحدث بها المهاجرون، في نقاط المغادرة "
     "والعبور."),
]

OUTCOME_TEXTS = {
    "en": {
        "executive_summary": (
            "On 23 and 24 April 2024 in Dakar, States, UN agencies, Red Cross and Red Crescent "
            "National Societies, civil society, migrant organisations and academia from across "
            "Africa met to agree actionable recommendations on Objective 8 of the Global Compact "
            "for Migration and on humanitarian assistance to migrants in distress.\n\n"
            "The plenary adopted a recommendation on a regional network of focal points on "
            "missing migrants, with two reservations. It did not adopt the recommendation on "
            "safe landing, which two delegations opposed under the consensus rule. Three "
            "recommendations remain under discussion: a firewall between assistance and "
            "enforcement, support to the families of missing migrants, and information before "
            "departure.\n\n"
            "The participants ask the 2024 GCM regional review for Africa to:\n\n"
            "- take up the adopted recommendation in its conclusions;\n"
            "- support the work that continues on the recommendations still under discussion."),
        "introduction": (
            "The Red Talks are multi-stakeholder consultations organised by the IFRC, the ICRC "
            "and IOM with National Red Cross and Red Crescent Societies. This outcome document "
            "sets out the recommendations of the Dakar Red Talks for the 2024 regional review "
            "of the Global Compact for Safe, Orderly and Regular Migration in Africa.\n\n"
            "The consultation was held under the Chatham House Rule: the document names no "
            "participant. Reservations are quoted with the stakeholder group of the participant "
            "who expressed them."),
    },
    "fr": {
        "executive_summary": (
            "Les 23 et 24 avril 2024 à Dakar, des États, des agences des Nations Unies, des "
            "Sociétés nationales de la Croix-Rouge et du Croissant-Rouge, la société civile, des "
            "organisations de migrants et des universitaires de toute l'Afrique se sont réunis "
            "pour convenir de recommandations concrètes sur l'objectif 8 du Pacte mondial sur "
            "les migrations et sur l'assistance humanitaire aux migrants en détresse.\n\n"
            "La plénière a adopté une recommandation sur un réseau régional de points focaux "
            "sur les migrants disparus, avec deux réserves. Elle n'a pas adopté la "
            "recommandation sur le débarquement sûr, à laquelle deux délégations se sont "
            "opposées selon la règle du consensus. Trois recommandations restent en "
            "discussion : un pare-feu entre l'assistance et le contrôle de l'immigration, le "
            "soutien aux familles des migrants disparus et l'information avant le départ.\n\n"
            "Les participants demandent à l'examen régional 2024 du Pacte mondial pour "
            "l'Afrique :\n\n"
            "- de reprendre la recommandation adoptée dans ses conclusions ;\n"
            "- de soutenir le travail qui se poursuit sur les recommandations encore en "
            "discussion."),
        "introduction": (
            "Les Red Talks sont des consultations multipartites organisées par la FICR, le CICR "
            "et l'OIM avec les Sociétés nationales de la Croix-Rouge et du Croissant-Rouge. Ce "
            "document final présente les recommandations des Red Talks de Dakar pour l'examen "
            "régional 2024 du Pacte mondial pour des migrations sûres, ordonnées et régulières "
            "en Afrique.\n\n"
            "La consultation s'est tenue selon la règle de Chatham House : le document ne nomme "
            "aucun participant. Les réserves sont citées avec le groupe de parties prenantes du "
            "participant qui les a exprimées."),
    },
}

#: What each breakout group concluded, in English and in French, in the groups' order.
BREAKOUT_SUMMARIES = [
    ("The group identified the Atlantic route from Senegal and The Gambia and the desert "
     "crossings through Agadez as the points where search and rescue capacity and information "
     "are most lacking. It asked for shared alerts between coastguards, and for information on "
     "water points and help along the routes, given at bus stations and in the messaging groups "
     "migrants use.",
     "Le groupe a désigné la route atlantique au départ du Sénégal et de la Gambie et les "
     "traversées du désert par Agadez comme les points où les capacités de recherche et de "
     "sauvetage et l'information font le plus défaut. Il demande des alertes partagées entre "
     "garde-côtes, et une information sur les points d'eau et l'aide disponible le long des "
     "routes, donnée dans les gares routières et dans les groupes de messagerie qu'utilisent "
     "les migrants."),
    ("The group proposed a minimum set of data collected on every body found (photographs, "
     "belongings, DNA samples), exchanged through the Restoring Family Links network under "
     "agreed data protection standards, and a focal point on missing migrants in each State.",
     "Le groupe propose un ensemble minimal de données recueillies pour chaque corps retrouvé "
     "(photographies, effets personnels, échantillons d'ADN), échangées par le réseau du "
     "Rétablissement des liens familiaux selon des normes de protection des données "
     "convenues, et un point focal sur les migrants disparus dans chaque État."),
    ("Families are asked for money by people promising news of their relatives. The group "
     "asked for a single, free and trusted contact point in each country, psychosocial and "
     "legal support, and a legal status for the families of missing migrants; the time frame "
     "for that status remained open.",
     "Des familles se voient réclamer de l'argent par des personnes qui promettent des "
     "nouvelles de leurs proches. Le groupe demande un point de contact unique, gratuit et de "
     "confiance dans chaque pays, un soutien psychosocial et juridique, et un statut juridique "
     "pour les familles des migrants disparus ; le délai pour ce statut est resté ouvert."),
    ("Health care at landing sites must not depend on documents: people avoid treatment for "
     "fear of being reported. The group supported a firewall between the data collected to "
     "give assistance and immigration enforcement, and remained divided on whether it should "
     "also bar the sharing of such data.",
     "Les soins aux points de débarquement ne doivent pas dépendre des documents : des "
     "personnes renoncent à se soigner par crainte d'être signalées. Le groupe soutient un "
     "pare-feu entre les données recueillies pour l'assistance et le contrôle de "
     "l'immigration, et reste partagé sur la question de savoir s'il doit aussi interdire le "
     "partage de ces données."),
]


def _translate(consultation: Consultation, accounts: dict, people: list) -> None:
    """The translator's work, reviewed by the secretariat: the consultation's texts in French
    (with its venue, organisers and agenda), and every recommendation in French and Arabic.
    Done once; a demo seeded before the agenda could be translated gets its texts again."""
    from consultations import wording
    from recommendations import drafting, translating
    from recommendations.models import TranslationStatus

    translator = next(accounts[p.email] for p in people if p.role == Role.translator)
    secretariat = next(accounts[p.email] for p in people if p.role == Role.secretariat)
    french = wording.in_language(consultation.translations, "fr")
    if french is None or not french.venue:
        items = {item.id: wording.ItemText(title, description) for item, (title, description)
                 in zip(consultation.agenda_items, FRENCH_AGENDA, strict=False)}
        groups = {group.id: wording.GroupText(name, theme, tuple(questions))
                  for group, (name, theme, questions)
                  in zip(wording.groups_of(consultation), FRENCH_GROUPS, strict=False)}
        wording.save_wording(consultation, translator, "fr", items=items, groups=groups,
                             **FRENCH_CONSULTATION)
    if french is not None:
        return
    recommendations = drafting.recommendations_of(consultation)
    for locale, texts in (("fr", FRENCH_RECOMMENDATIONS), ("ar", ARABIC_RECOMMENDATIONS)):
        for recommendation, (title, text) in zip(recommendations, texts, strict=False):
            for person, status in ((translator, TranslationStatus.draft),
                                   (secretariat, TranslationStatus.reviewed)):
                translating.save_translation(recommendation.current_version, person,
                                             locale=locale, title=title, text=text,
                                             status=status)


def _write_the_outcome(consultation: Consultation, accounts: dict, people: list) -> None:
    """The secretariat's work for the outcome documents: the written parts in English and
    French (the French names come from the consultation's texts), the breakout summaries (the
    rapporteurs' in English, translated into French), and a version compiled in each
    language. Done once: a consultation that has its written parts is left as it is."""
    from recommendations.outcome import operations as outcome
    from recommendations.outcome.content import breakout_groups_of, outcome_text_of
    from recommendations.outcome.models import OutcomeDocument

    secretariat = next(accounts[p.email] for p in people if p.role == Role.secretariat)
    if outcome_text_of(consultation, "en") is None:
        for locale, texts in OUTCOME_TEXTS.items():
            outcome.save_outcome_text(consultation, secretariat, locale, names={}, **texts)
        for group, (english, french) in zip(breakout_groups_of(consultation),
                                            BREAKOUT_SUMMARIES, strict=False):
            writer = group.rapporteur or secretariat
            outcome.save_breakout_summary(group, writer, "en", english)
            outcome.save_breakout_summary(group, secretariat, "fr", french)
    compiled = db.session.scalar(select(func.count()).select_from(OutcomeDocument).where(
        OutcomeDocument.consultation_id == consultation.id))
    if not compiled:
        for locale in ("en", "fr"):
            outcome.compile_outcome(consultation, locale, secretariat)
