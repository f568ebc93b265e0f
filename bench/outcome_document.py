"""Compiling an outcome document: 40 recommendations, 1,000 comments, 500 participants.

    .venv/bin/python bench/outcome_document.py [--runs 7]

Builds a new SQLite database holding a consultation after its plenary: 500 approved
participants (every stakeholder group, 20 countries, a third online, half of them agreeing to
be named), 8 breakout groups with their summaries, 1,000 comments, 40 recommendations decided
by vote (about 500 votes each, reservations among them, a show of hands), 10 accepted
amendments, and the written parts and reviewed translations for a French document. Then, in
one run, times:

- compile: ``operations.compile_outcome`` in English, as the portal does it (the outcome
  gathered from the database, the .docx built, its SHA-256, the version stored), and the two
  halves of it: gathering (``content.outcome_of``) and building (``word.build_docx``);
- python-docx alone: the same headings, paragraphs, tables and chart written with python-docx's
  plain calls from the already gathered data, with no portal code around them;
- compile + PDF: the English document compiled and its PDF made by LibreOffice and kept, as
  the first download of the PDF does it (``operations.make_pdf``), and the PDF step alone
  (``pdf.pdf_of``), when LibreOffice is installed.

Each is the median of ``--runs`` runs (``--pdf-runs`` for the PDF, a few seconds each). The
last line of the output is one JSON object.
"""

import argparse
import io
import json
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docx import Document  # noqa: E402
from docx.shared import Cm  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select, update  # noqa: E402

from consultations import breakouts, discussion, operations  # noqa: E402
from consultations.models import (  # noqa: E402
    AdoptionRule,
    AgendaItemKind,
    Attendance,
    AttributionRule,
    Comment,
    Consultation,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal import create_app  # noqa: E402
from portal.accounts.models import StakeholderGroup, User  # noqa: E402
from portal.accounts.operations import create_account, hash_password  # noqa: E402
from portal.extensions import db  # noqa: E402
from recommendations import drafting, translating, voting  # noqa: E402
from recommendations.adoption import Counts  # noqa: E402
from recommendations.models import TranslationStatus, Vote, VoteRound  # noqa: E402
from recommendations.outcome import content, parts, pdf  # noqa: E402
from recommendations.outcome import operations as outcome  # noqa: E402
from recommendations.outcome.chart import bar_chart  # noqa: E402
from recommendations.outcome.prose import blocks_of  # noqa: E402
from recommendations.outcome.word import build_docx  # noqa: E402

PASSWORD = "harmattan-baobab-river-42"
PARTICIPANTS = 500
RECOMMENDATIONS = 40
COMMENTS = 1_000
GROUPS = 8
COUNTRIES = ["SN", "ML", "NE", "MR", "MA", "GM", "GN", "CI", "BF", "NG", "GH", "KE", "ET", "ZA",
             "TN", "EG", "CM", "CD", "SD", "LY"]
THEMES = ["Prevention of deaths and disappearances", "Search and identification",
          "Support to families of missing migrants", "Assistance to migrants in distress",
          "Data protection", "Access to services", "Return and reintegration",
          "Regular pathways"]
SENTENCE = ("States, with the support of IOM, ICRC and National Red Cross and Red Crescent "
            "Societies, should designate focal points, exchange tracing requests and forensic "
            "data under agreed data protection standards, and report on progress every year. ")


def build(random_: random.Random) -> tuple[Consultation, User]:
    now = datetime.now(UTC)
    password_hash = hash_password(PASSWORD)
    team = {role: create_account(email=f"{role}@example.org", password_hash=password_hash,
                                 name=f"The {role}", organisation="IFRC",
                                 stakeholder_group=StakeholderGroup.red_cross, country="KE")
            for role in ("facilitator", "secretariat")}
    starts = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)
    consultation = Consultation(
        slug="bench", title="Regional consultation on missing migrants", region=Region.africa,
        venue="Dakar, Senegal", organisers="IFRC, ICRC, IOM", starts_at=starts,
        ends_at=starts + timedelta(days=2), time_zone="Africa/Dakar",
        working_languages=["en", "fr"], status=ConsultationStatus.live,
        attribution_rule=AttributionRule.attributed, adoption_rule=AdoptionRule.two_thirds)
    consultation.gcm_objectives = [7, 8, 15]
    db.session.add(consultation)
    db.session.flush()
    for role, user in team.items():
        db.session.add(Registration(consultation=consultation, user=user, role=Role(role),
                                    status=RegistrationStatus.approved, organisation="IFRC",
                                    stakeholder_group=user.stakeholder_group, country="KE"))
    groups = list(StakeholderGroup)
    db.session.execute(insert(User), [
        {"email": f"participant{n}@example.org", "password_hash": password_hash,
         "name": f"Participant {n}", "organisation": f"Organisation {n % 120}",
         "stakeholder_group": groups[n % len(groups)], "country": COUNTRIES[n % len(COUNTRIES)],
         "preferred_locale": "en", "is_admin": False,
         "created_at": now} for n in range(PARTICIPANTS)])
    users = db.session.scalars(select(User).where(User.email.startswith("participant"))
                               .order_by(User.id)).all()
    db.session.execute(insert(Registration), [
        {"consultation_id": consultation.id, "user_id": user.id,
         "role": Role.rapporteur if n < GROUPS else Role.participant,
         "status": RegistrationStatus.approved, "organisation": user.organisation,
         "stakeholder_group": user.stakeholder_group, "country": user.country,
         "attendance": Attendance.online if n % 3 == 0 else Attendance.in_person,
         "listed_in_outcome": n % 2 == 0, "languages": ["en"], "accessibility_needs": "",
         "notes": "", "consented_at": now, "created_at": now, "status_changed_at": now}
        for n, user in enumerate(users)])
    facilitator, secretariat = team["facilitator"], team["secretariat"]
    day = consultation.starts_at
    operations.add_agenda_item(consultation, facilitator, kind=AgendaItemKind.plenary,
                               title="Opening plenary", starts_at=day,
                               ends_at=day + timedelta(hours=1))
    round_ = operations.add_agenda_item(
        consultation, facilitator, kind=AgendaItemKind.breakout_round, title="Breakouts",
        starts_at=day + timedelta(hours=1), ends_at=day + timedelta(hours=4))
    operations.add_agenda_item(consultation, facilitator, kind=AgendaItemKind.plenary,
                               title="Adoption", starts_at=day + timedelta(hours=5),
                               ends_at=day + timedelta(hours=8))
    rapporteurs = users[:GROUPS]
    for number, theme in enumerate(THEMES):
        operations.add_breakout_group(round_, facilitator, name=f"Group {number + 1}",
                                      theme=theme, guiding_questions=[], capacity=None,
                                      language="en", rapporteur=rapporteurs[number])
    db.session.flush()

    thread = discussion.plenary_thread(consultation)
    registration_ids = dict(db.session.execute(
        select(Registration.user_id, Registration.id)
        .where(Registration.consultation_id == consultation.id)).all())
    db.session.execute(insert(Comment), [
        {"thread_id": thread.id, "author_id": users[n % PARTICIPANTS].id,
         "author_registration_id": registration_ids[users[n % PARTICIPANTS].id],
         "body": f"Comment {n}: " + SENTENCE, "created_at": now} for n in range(COMMENTS)])

    recommendations = []
    for number in range(RECOMMENDATIONS):
        recommendations.append(drafting.create_recommendation(
            consultation, facilitator, title=f"Recommendation on {THEMES[number % 8].lower()}",
            theme=THEMES[number % 8], gcm_objectives=[7 + number % 3, 8],
            text=SENTENCE * 3 + "\n\n" + SENTENCE))
    for recommendation in recommendations[:10]:
        amendment = drafting.propose_amendment(
            recommendation, users[20], text=recommendation.current_version.text + " Now.")
        drafting.accept_amendment(amendment, facilitator)

    voters = [(registration_ids[user.id], user.stakeholder_group) for user in users]
    for number, recommendation in enumerate(recommendations):
        round_ = voting.open_round(recommendation, facilitator)
        opposing = 0.45 if number % 5 == 4 else 0.05
        rows = []
        for seq, (registration_id, group) in enumerate(voters, 1):
            draw = random_.random()
            choice = ("oppose" if draw < opposing else "abstain" if draw < opposing + 0.05
                      else "support_with_reservations" if seq % 150 == 0 else "support")
            rows.append({"round_id": round_.id, "registration_id": registration_id,
                         "choice": choice, "stakeholder_group": group, "seq": seq,
                         "cast_at": now, "reservation": f"Reservation {seq}: subject to the "
                         "national law." if choice == "support_with_reservations" else None})
        db.session.execute(insert(Vote), rows)
        db.session.execute(update(VoteRound).where(VoteRound.id == round_.id)
                           .values(seq=len(rows)))
        voting.set_in_room_counts(round_, facilitator, Counts(support=12, abstain=1))
        voting.close_round(round_, facilitator)

    for locale, words in (("en", "The consultation"), ("fr", "La consultation")):
        names = ({name: f"{name} (fr)" for name in words.names_to_translate(consultation,
                                                                             "fr")}
                 if locale == "fr" else {})
        outcome.save_outcome_text(
            consultation, secretariat, locale, names=names,
            executive_summary=f"{words} agreed its recommendations.\n\n" + SENTENCE * 4,
            introduction=SENTENCE * 3 + "\n\n- " + SENTENCE + "\n- " + SENTENCE)
    for group in breakouts.groups_of(consultation):
        for locale in ("en", "fr"):
            outcome.save_breakout_summary(group, secretariat, locale, SENTENCE * 5)
    for recommendation in recommendations:
        for translator, status in ((facilitator, TranslationStatus.draft),
                                   (secretariat, TranslationStatus.reviewed)):
            translating.save_translation(
                recommendation.current_version, translator, locale="fr",
                title=f"Recommandation {recommendation.number}", text=SENTENCE * 4,
                status=status)
    db.session.commit()
    return consultation, secretariat


def plain_python_docx(data: dict) -> bytes:
    """The same headings, paragraphs, tables and chart, with python-docx's plain calls."""
    document = Document()
    labels = data["labels"]

    def text(passage: dict) -> str:
        return passage["text"] or passage["missing"]

    def written(passage: dict) -> None:
        if not passage["text"]:
            document.add_paragraph(passage["missing"])
            return
        for block in blocks_of(passage["text"]):
            if block["kind"] == "paragraph":
                document.add_paragraph("\n".join(block["lines"]))
            else:
                style = "List Bullet" if block["kind"] == "bullets" else "List Number"
                for item in block["items"]:
                    document.add_paragraph(item, style=style)

    def table(header: list[str], rows: list[list]) -> None:
        grid = document.add_table(rows=1, cols=len(header))
        grid.style = "Table Grid"
        for cell, value in zip(grid.rows[0].cells, header, strict=True):
            cell.text = value
        for row in rows:
            for cell, value in zip(grid.add_row().cells, row, strict=True):
                cell.text = str(value)

    def recommendation(entry: dict) -> None:
        document.add_heading(f"{entry['reference']}. {text(entry['title'])}", 3)
        written(entry["text"])
        document.add_paragraph(entry["objectives_line"])
        result = entry["result"]
        if result:
            document.add_paragraph(result["sentence"])
            table([labels["choice"], labels["devices"], labels["in_room"], labels["total"]],
                  [[count["choice"], count["devices"], count["in_room"], count["total"]]
                   for count in result["counts"]])
            document.add_paragraph(result["turnout"])
            for reservation in result["reservations"]:
                document.add_paragraph(f"“{reservation['text']}” ({reservation['by']})",
                                       style="List Number")

    cover = data["cover"]
    document.add_heading(text(cover["title"]), 0)
    for fact in cover["facts"]:
        document.add_paragraph(f"{fact['label']}: {text(fact['value'])}")
    for objective in cover["objectives"]:
        document.add_paragraph(objective, style="List Bullet")
    document.add_page_break()
    document.add_heading(labels["executive_summary"], 1)
    written(data["executive_summary"])
    document.add_heading(labels["introduction"], 1)
    written(data["introduction"])
    participation = data["participation"]
    document.add_heading(labels["participation"], 1)
    document.add_paragraph(participation["lead"])
    chart = bar_chart([figure["count"] for figure in participation["by_group"]])
    document.add_picture(io.BytesIO(chart), width=Cm(15))
    for key in ("by_group", "by_region", "by_country", "by_attendance"):
        document.add_heading(labels[key], 2)
        table([labels[key], labels["participants"]],
              [[figure["label"], figure["count"]] for figure in participation[key]])
    for sentence in participation["activity"]:
        document.add_paragraph(sentence)
    document.add_heading(labels["adopted"], 1)
    for theme in data["adopted"]:
        document.add_heading(text(theme["heading"]), 2)
        for entry in theme["recommendations"]:
            recommendation(entry)
    table([labels["objective"], labels["recommendations"]],
          [[entry["title"], ", ".join(entry["references"])] for entry in data["by_objective"]])
    document.add_heading(labels["breakouts"], 1)
    for entry in data["breakouts"]:
        document.add_heading(f"{text(entry['name'])}: {text(entry['theme'])}", 2)
        written(entry["summary"])
    document.add_heading(labels["annexes"], 1)
    for entry in data["not_adopted"] + data["undecided"]:
        recommendation(entry)
    table([labels["when"], labels["item"], labels["kind"]],
          [[entry["when"], text(entry["title"]), entry["kind"]] for entry in data["agenda"]])
    table([labels["amendment"], labels["versions"], labels["decided"], labels["proposed_by"],
           labels["supports"]],
          [[entry["label"], entry["versions"], entry["decided"], entry["proposed_by"],
            entry["supports"]] for entry in data["amendments"]])
    if data["participants"]:
        table([labels["name"], labels["organisation"], labels["stakeholder_group"],
               labels["country"]],
              [[entry["name"], entry["organisation"], entry["stakeholder_group"],
                entry["country"]] for entry in data["participants"]])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def timed(function, *arguments) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*arguments)
    return time.perf_counter() - started, result


def counts_of(docx: bytes) -> dict:
    document = Document(io.BytesIO(docx))
    return {"paragraphs": len(document.paragraphs), "tables": len(document.tables),
            "table_rows": sum(len(table.rows) for table in document.tables)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pdf-runs", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/bench.db",
                          "SECRET_KEY": "bench", "REDIS_URL": None, "SERVER_NAME": "bench",
                          "TALLY_PUBLISHER": False})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            consultation, secretariat = build(random.Random(8))  # noqa: S311  (vote mix)
            print(f"Consultation built in {time.perf_counter() - started:.1f} s: "
                  f"{PARTICIPANTS} participants, {RECOMMENDATIONS} recommendations, "
                  f"{COMMENTS} comments")

            def compile_in(locale: str):
                document = outcome.compile_outcome(consultation, locale, secretariat)
                size, missing = document.size, document.missing_count
                db.session.rollback()
                return size, missing

            def gather():
                return parts.as_data(content.outcome_of(
                    consultation, "en", number=1, generated_at=datetime.now(UTC)))

            # Each run times every variant once, one after the other, so that whatever else
            # the machine does weighs on all of them alike.
            timings: dict[str, list[float]] = {name: [] for name in (
                "compile", "gather", "build", "plain", "compile_fr")}
            for _ in range(arguments.runs):
                elapsed, (size, missing) = timed(compile_in, "en")
                timings["compile"].append(elapsed)
                elapsed, gathered = timed(gather)
                timings["gather"].append(elapsed)
                elapsed, built = timed(build_docx, gathered)
                timings["build"].append(elapsed)
                elapsed, plain = timed(plain_python_docx, gathered)
                timings["plain"].append(elapsed)
                timings["compile_fr"].append(timed(compile_in, "fr")[0])
            compile_time, gather_time, build_time, plain_time, french_time = (
                statistics.median(timings[name]) for name in timings)

            def compile_with_pdf():
                document = outcome.compile_outcome(consultation, "en", secretariat)
                outcome.make_pdf(document, secretariat)
                files = document.content, document.pdf
                db.session.rollback()
                return files

            pdf_timings: dict[str, list[float]] = {"compile_pdf": [], "pdf": []}
            pdf_pages = 0
            if pdf.available():
                for _ in range(arguments.pdf_runs):
                    elapsed, (docx, made) = timed(compile_with_pdf)
                    pdf_timings["compile_pdf"].append(elapsed)
                    elapsed, made = timed(pdf.pdf_of, docx)
                    pdf_timings["pdf"].append(elapsed)
                    pdf_pages = len(re.findall(rb"/Type\s*/Page[^s]", made))
            compile_pdf_time, pdf_time = (
                statistics.median(pdf_timings[name]) if pdf_timings[name] else None
                for name in pdf_timings)
        app_counts, plain_counts = counts_of(built), counts_of(plain)
    print(f"compile (English, median of {arguments.runs}): {compile_time:.3f} s "
          f"(gathering {gather_time:.3f} s, building {build_time:.3f} s); "
          f"{size:,} bytes, {missing} items missing")
    print(f"compile (French): {french_time:.3f} s")
    print(f"python-docx alone, the same content: {plain_time:.3f} s; "
          f"compile / python-docx alone: {compile_time / plain_time:.2f}")
    print(f"portal document: {app_counts}; python-docx alone: {plain_counts}")
    if pdf_time is None:
        print("compile + PDF: LibreOffice is not installed, no PDF made")
    else:
        print(f"compile + PDF (English, median of {arguments.pdf_runs}): "
              f"{compile_pdf_time:.3f} s; the PDF step alone: {pdf_time:.3f} s "
              f"({pdf_pages} pages)")
    print(json.dumps({
        "participants": PARTICIPANTS, "recommendations": RECOMMENDATIONS, "comments": COMMENTS,
        "runs": arguments.runs, "compile_s": round(compile_time, 3),
        "gather_s": round(gather_time, 3), "build_s": round(build_time, 3),
        "compile_fr_s": round(french_time, 3), "python_docx_alone_s": round(plain_time, 3),
        "ratio": round(compile_time / plain_time, 2), "bytes": size,
        "missing": missing, "target_s": 2.0, "within_target": compile_time < 2.0,
        "compile_pdf_s": round(compile_pdf_time, 3) if compile_pdf_time else None,
        "pdf_s": round(pdf_time, 3) if pdf_time else None, "pdf_pages": pdf_pages,
    }))


if __name__ == "__main__":
    main()
