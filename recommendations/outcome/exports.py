"""An outcome version's recommendations as rows: the CSV file and the workbook, read from
the version's stored data (``parts.as_data``).
"""

from flask_babel import gettext as _

from portal.spreadsheets import Column
from recommendations.models import (
    RecommendationStatus,
    VoteChoice,
)

# Exports -------------------------------------------------------------------------------------

def all_recommendations(data: dict) -> list[dict]:
    """Every recommendation of an outcome (as data): adopted, not adopted, without a result."""
    adopted = [entry for theme in data["adopted"] for entry in theme["recommendations"]]
    return adopted + data["not_adopted"] + data["undecided"]


CSV_HEADER = ["reference", "status", "title", "text", "version", "translated",
              "gcm_objectives", "round", "result", *[f"{choice.value}" for choice in VoteChoice],
              *[f"in_room_{choice.value}" for choice in VoteChoice], "reservations",
              "missing"]


def export_columns() -> list[Column]:
    """The export's columns: CSV keys, and headings in the reader's language."""
    headings = [_("Reference"), _("Status"), _("Title"), _("Text"), _("Version"),
                _("Translated"), _("GCM objectives"), _("Round"), _("Result"),
                *[choice.label for choice in VoteChoice],
                *[_("Show of hands: %(choice)s", choice=choice.label) for choice in VoteChoice],
                _("Reservations"), _("Missing")]
    return [Column(key, heading) for key, heading in zip(CSV_HEADER, headings, strict=True)]


def sheet_row(row: list) -> list:
    """A row of ``csv_rows`` as a workbook holds it: the status by its label, "translated"
    as true or false."""
    status, translated = CSV_HEADER.index("status"), CSV_HEADER.index("translated")
    shown = list(row)
    if shown[status] in RecommendationStatus.__members__:
        shown[status] = RecommendationStatus(shown[status])
    shown[translated] = shown[translated] == "yes"
    return shown


def csv_rows(data: dict) -> list[list]:
    """The recommendations and their results, one row each, in the outcome's language; a
    text not available in that language is left empty and named in the last column."""
    rows = []
    for entry in all_recommendations(data):
        result = entry["result"]
        counts = {count["value"]: count for count in result["counts"]} if result else {}
        choices = [choice.value for choice in VoteChoice]
        rows.append([
            entry["reference"], entry["status"], entry["title"]["text"], entry["text"]["text"],
            entry["version"], "yes" if entry["translated"] else "no",
            " ".join(str(number) for number in entry["objectives"]),
            result["round"] if result else "", result["sentence"] if result else "",
            *[counts[choice]["devices"] if result else "" for choice in choices],
            *[counts[choice]["in_room"] if result else "" for choice in choices],
            " | ".join(f"{reservation['text']} ({reservation['by']})" if reservation["by"]
                       else reservation["text"]
                       for reservation in result["reservations"]) if result else "",
            " ".join(part["missing"] for part in (entry["title"], entry["text"])
                     if part["missing"]),
        ])
    return rows
