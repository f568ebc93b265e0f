"""Seeding the demo: a consultation modelled on the April 2024 Dakar Red Talks.

``seed_demo`` is idempotent: people and the consultation are looked up by e-mail address and
slug and created only when missing, so running it twice changes nothing.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, update

from consultations import breakouts
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
from demo.people import (
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    DEMO_SLUG,
    DEMO_STARTS,
    GENERATED_PREFIX,
    OTHER_REGISTRANTS,
    DemoPerson,
    G,
    demo_people,
)
from demo.reviews import seed_review
from demo.synthesis import seed_synthesis
from demo.texts import (
    ARABIC_NAMES,
    ARABIC_RECOMMENDATIONS,
    BREAKOUT_GROUPS,
    BREAKOUT_SUMMARIES,
    DEMO_COMMENTS,
    DEMO_RECOMMENDATIONS,
    DEMO_RESERVATIONS,
    FRENCH_AGENDA,
    FRENCH_CONSULTATION,
    FRENCH_GROUPS,
    FRENCH_RECOMMENDATIONS,
    OUTCOME_TEXTS,
)
from portal.accounts.models import StakeholderGroup, User
from portal.accounts.operations import create_account, find_account, hash_password
from portal.audit.operations import record_event
from portal.extensions import db


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
        meeting_link="https://meet.example.org/red-talks-dakar-2024",
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
              status: RegistrationStatus = RegistrationStatus.approved,
              attendance: Attendance = Attendance.in_person) -> None:
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
            country=user.country, attendance=attendance,
            consented_at=now, status_changed_at=now,
            # The approved in the room came through the check-in desk on the first morning.
            checked_in_at=(consultation.starts_at - timedelta(minutes=20)
                           if status == RegistrationStatus.approved
                           and attendance == Attendance.in_person else None),
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
        _register(consultation, accounts[person.email], person.role, now,
                  attendance=person.attendance)
    db.session.flush()
    _register_others(consultation, password_hash, now)
    if not consultation.agenda_items:
        _hold_the_day(consultation, accounts, people)
    if not _has_recommendations(consultation):
        _hold_the_plenary(consultation, accounts, people)
    _translate(consultation, accounts, people)
    _write_the_outcome(consultation, accounts, people)
    seed_synthesis(seed_review(consultation, accounts, password_hash))

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


def _register_others(consultation: Consultation, password_hash: str, now: datetime) -> None:
    for number, (organisation, group, country, status) in enumerate(OTHER_REGISTRANTS, 1):
        email = f"registrant{number:02d}@{DEMO_DOMAIN}"
        user = find_account(email) or create_account(
            email=email, password_hash=password_hash, name=f"Delegate of {organisation}",
            organisation=organisation, stakeholder_group=group, country=country,
            preferred_locale="fr")
        _register(consultation, user, Role.participant, now, status)


def _hold_the_day(consultation: Consultation, accounts: dict, people: list) -> None:
    """The agenda of the Dakar day, its four breakout groups with the assignment published,
    and a first exchange in each group's threads."""
    from consultations import discussion, operations

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
                  in zip(breakouts.groups_of(consultation), FRENCH_GROUPS, strict=False)}
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
    French (the French names come from the consultation's texts), the names in Arabic (not a
    working language, so given on the outcome's own form), the cover's symbol and distribution
    line, the breakout summaries (the rapporteurs' in English, translated into French), and a
    version compiled in English and in French. Done once: a consultation that has its written
    parts is left as it is."""
    from recommendations.outcome import operations as outcome
    from recommendations.outcome.models import OutcomeDocument
    from recommendations.outcome.words import outcome_text_of

    secretariat = next(accounts[p.email] for p in people if p.role == Role.secretariat)
    if outcome_text_of(consultation, "en") is None:
        for locale, texts in OUTCOME_TEXTS.items():
            outcome.save_outcome_text(consultation, secretariat, locale, names={}, **texts)
        outcome.save_outcome_text(consultation, secretariat, "ar", executive_summary="",
                                  introduction="", names=ARABIC_NAMES)
        outcome.save_cover(consultation, secretariat, symbol="RT/DAKAR/2024/1",
                           distribution="general")
        for group, (english, french) in zip(breakouts.groups_of(consultation),
                                            BREAKOUT_SUMMARIES, strict=False):
            writer = group.rapporteur or secretariat
            outcome.save_breakout_summary(group, writer, "en", english)
            outcome.save_breakout_summary(group, secretariat, "fr", french)
    compiled = db.session.scalar(select(func.count()).select_from(OutcomeDocument).where(
        OutcomeDocument.consultation_id == consultation.id))
    if not compiled:
        for locale in ("en", "fr"):
            outcome.compile_outcome(consultation, locale, secretariat)
