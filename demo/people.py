"""The demo's people: the Dakar Red Talks' participants, rapporteurs and team, each with a
demo address (``DEMO_DOMAIN``) and the public demo password."""

from dataclasses import dataclass
from datetime import UTC, datetime

from consultations.models import (
    Attendance,
    RegistrationStatus,
    Role,
)
from portal.accounts.models import StakeholderGroup

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
    attendance: Attendance = Attendance.in_person


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
#: Participants at these positions take part online, from Nairobi and Abuja: the consultation
#: page gives them its meeting link.
ONLINE = {4, 13}


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
                Attendance.online if number in ONLINE else Attendance.in_person,
            )
        )
    return people


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
