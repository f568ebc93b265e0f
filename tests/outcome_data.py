"""A consultation with everything an outcome document holds, for the outcome tests."""

import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from consultations import operations
from consultations.models import (
    AgendaItemKind,
    Attendance,
    AttributionRule,
    Consultation,
    Registration,
    Role,
)
from portal.accounts.models import StakeholderGroup, User
from recommendations import drafting, translating, voting
from recommendations.adoption import Counts
from recommendations.models import Recommendation, TranslationStatus
from recommendations.outcome import operations as outcome

G = StakeholderGroup

#: Participants: e-mail name, full name, organisation, group, country, attendance.
PEOPLE = [
    ("p1", "Aminata Delegate", "Senegalese Red Cross Society", G.red_cross, "SN",
     Attendance.in_person),
    ("p2", "Kwame Delegate", "Ministry of Foreign Affairs of Ghana", G.member_state, "GH",
     Attendance.in_person),
    ("p3", "Fatou Delegate", "Caritas Senegal", G.civil_society, "SN", Attendance.online),
    ("p4", "Moussa Delegate", "Alarm Phone Sahara", G.civil_society, "NE", Attendance.in_person),
    ("p5", "Leila Delegate", "Moroccan Red Crescent", G.red_cross, "MA", Attendance.online),
]

RESERVATION = "Subject to the national law on personal data."


@dataclass
class Built:
    consultation: Consultation
    users: dict[str, User]
    recommendations: dict[str, Recommendation]
    names: list[str] = field(default_factory=list)


def build_outcome_consultation(session, make_user, make_consultation, register, *,
                               attribution=AttributionRule.attributed,
                               languages=("en", "fr"), slug=None) -> Built:
    """A live consultation after its plenary: two adopted recommendations (one with an
    accepted amendment, a reservation and a show of hands), one not adopted, one without a
    result; two breakout groups; the written parts in English; French translations of all
    but the last recommendation, which has a draft one."""
    consultation = make_consultation(
        title="Regional consultation on missing migrants", venue="Dakar, Senegal",
        organisers="IFRC, ICRC, IOM", attribution_rule=attribution,
        working_languages=list(languages), gcm_objectives=[7, 8],
        **({"slug": slug} if slug else {}))
    users = {}
    for role in ("facilitator", "secretariat", "rapporteur"):
        users[role] = make_user(email=f"{role}-{consultation.slug}@example.org",
                                name=f"Named {role.title()}")
        register(users[role], consultation, Role(role))
    for key, name, organisation, group, country, attendance in PEOPLE:
        user = make_user(email=f"{key}-{consultation.slug}@example.org", name=name,
                         organisation=organisation, stakeholder_group=group, country=country)
        registration = register(user, consultation, Role.participant)
        registration.attendance = attendance
        registration.listed_in_outcome = key != "p4"
        users[key] = user
    users["outsider"] = make_user(email=f"outsider-{consultation.slug}@example.org")
    session.flush()

    facilitator = users["facilitator"]
    day = consultation.starts_at
    operations.add_agenda_item(consultation, facilitator, kind=AgendaItemKind.plenary,
                               title="Opening plenary", starts_at=day,
                               ends_at=day + timedelta(hours=1))
    breakout_round = operations.add_agenda_item(
        consultation, facilitator, kind=AgendaItemKind.breakout_round,
        title="Breakout round", starts_at=day + timedelta(hours=1),
        ends_at=day + timedelta(hours=3))
    operations.add_breakout_group(breakout_round, facilitator, name="Group 1",
                                  theme="Search and identification", guiding_questions=[],
                                  capacity=None, language="en", rapporteur=users["rapporteur"])
    operations.add_breakout_group(breakout_round, facilitator, name="Group 2",
                                  theme="Support to families", guiding_questions=[],
                                  capacity=None, language="fr", rapporteur=None)

    rapporteur = users["rapporteur"]
    voters = [users[key] for key, *_ in PEOPLE]
    r1 = drafting.create_recommendation(
        consultation, rapporteur, title="A regional network of focal points",
        theme="Search and identification", gcm_objectives=[8],
        text="States should each designate a focal point on missing migrants.\n"
             "The focal points form a regional network.")
    r2 = drafting.create_recommendation(
        consultation, rapporteur, title="Safe landing", theme="Assistance",
        gcm_objectives=[7, 8],
        text="Coastal States should land every person rescued at sea at a safe place.")
    r3 = drafting.create_recommendation(
        consultation, rapporteur, title="Detention as a last resort", theme="Assistance",
        gcm_objectives=[13], text="States should end the detention of children.")
    r4 = drafting.create_recommendation(
        consultation, rapporteur, title="Information before departure", theme="Prevention",
        gcm_objectives=[3], text="States should inform migrants of the risks [of] routes.")

    amendment = drafting.propose_amendment(
        r1, voters[0], text=r1.current_version.text.replace("each designate",
                                                            "each designate without delay"),
        rationale="Urgency.")
    drafting.support_amendment(amendment, voters[1])
    drafting.accept_amendment(amendment, rapporteur)

    round_ = voting.open_round(r1, facilitator)
    for voter in voters:
        voting.cast_vote(round_, voter, "support")
    voting.set_in_room_counts(round_, facilitator, Counts(support=7, abstain=2))
    voting.close_round(round_, facilitator, confirmed=True)

    round_ = voting.open_round(r2, facilitator)
    voting.cast_vote(round_, voters[0], "support_with_reservations", RESERVATION)
    for voter in voters[1:]:
        voting.cast_vote(round_, voter, "support")
    voting.close_round(round_, facilitator, confirmed=True)

    round_ = voting.open_round(r3, facilitator)
    voting.cast_vote(round_, voters[0], "oppose")
    for voter in voters[1:]:
        voting.cast_vote(round_, voter, "support")
    voting.close_round(round_, facilitator, confirmed=True)

    secretariat = users["secretariat"]
    french = {
        r1: ("Un réseau régional de points focaux",
             "Les États devraient chacun désigner sans délai un point focal sur les migrants "
             "disparus.\nLes points focaux forment un réseau régional."),
        r2: ("Débarquement sûr", "Les États côtiers devraient débarquer toute personne "
                                 "secourue en mer dans un lieu sûr."),
        r3: ("La détention en dernier recours", "Les États devraient mettre fin à la "
                                                "détention des enfants."),
    }
    for recommendation, (title, text) in french.items():
        # Translated by the facilitator, reviewed by the secretariat: two people.
        for translator, status in ((facilitator, TranslationStatus.draft),
                                   (secretariat, TranslationStatus.reviewed)):
            translating.save_translation(recommendation.current_version, translator,
                                         locale="fr", title=title, text=text, status=status)
    translating.save_translation(r4.current_version, secretariat, locale="fr",
                                 title="Information avant le départ",
                                 text="Les États devraient informer les migrants.",
                                 status=TranslationStatus.draft)
    outcome.save_outcome_text(
        consultation, secretariat, "en",
        executive_summary="The consultation agreed two recommendations.\n\n"
                          "- a regional network\n- safe landing",
        introduction="States, National Societies and civil society met in Dakar.\n\n"
                     "1. Breakouts\n2. Plenary", names={})
    groups = {group.name: group for group in breakout_round.groups}
    outcome.save_breakout_summary(groups["Group 1"], rapporteur, "en",
                                  "The group asked for a regional focal point network.")
    outcome.save_breakout_summary(groups["Group 2"], secretariat, "en",
                                  "Families need one trusted contact point.")
    outcome.save_breakout_summary(groups["Group 2"], secretariat, "fr",
                                  "Les familles ont besoin d'un point de contact de confiance.")
    session.flush()
    names = [user.name for key, user in users.items() if key != "outsider"]
    return Built(consultation, users, {"R1": r1, "R2": r2, "R3": r3, "R4": r4}, names)


def registration(consultation: Consultation, user: User) -> Registration:
    return next(r for r in consultation.registrations if r.user_id == user.id)


#: LibreOffice and poppler's pdftotext and pdfinfo, for the tests of the outcome's PDF.
PDF_TOOLS = {name: shutil.which(name) for name in ("soffice", "pdftotext", "pdfinfo")}


def pdf_pages(content: bytes, folder: Path) -> tuple[list[str], dict[str, str]]:
    """The text of each page of a PDF as pdftotext lays it out, and what pdfinfo says of it."""
    path = folder / "read.pdf"
    path.write_bytes(content)
    text = subprocess.run([PDF_TOOLS["pdftotext"], "-layout", str(path), "-"], check=True,
                          capture_output=True, timeout=60).stdout.decode()
    info = subprocess.run([PDF_TOOLS["pdfinfo"], str(path)], check=True, capture_output=True,
                          timeout=60).stdout.decode()
    facts = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return text.split("\f")[:-1], {key: value.strip() for key, value in facts.items()}
