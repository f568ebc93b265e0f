"""The integrity check of a database (after a restore, say): the votes and what was decided
from them agree, and the rows hold together.

``check_integrity()`` returns the problems found, each one sentence; none means the database
passed. It reads only. ``flask --app wsgi check-integrity`` runs it.
"""

import hashlib

from sqlalchemy import and_, func, select, text

from consultations.models import Registration
from portal.audit.models import AuditEvent
from portal.extensions import db
from recommendations import adoption, voting
from recommendations.models import (
    Recommendation,
    RecommendationStatus,
    RecommendationVersion,
    Vote,
    VoteRound,
)
from recommendations.outcome.models import OutcomeDocument


def check_integrity() -> list[str]:
    problems: list[str] = []
    if db.engine.dialect.name == "sqlite":
        problems += _sqlite_file()
    problems += _foreign_keys()
    problems += _votes()
    problems += _numbering(RecommendationVersion, "version")
    problems += _numbering(VoteRound, "vote round")
    problems += _results()
    problems += _outcome_documents()
    problems += _outcome_files()
    return problems


def _sqlite_file() -> list[str]:
    answers = db.session.execute(text("PRAGMA integrity_check")).scalars().all()
    if answers == ["ok"]:
        return []
    return [f"SQLite integrity check: {answer}" for answer in answers]


def _foreign_keys() -> list[str]:
    """Every reference points at a row that exists (PostgreSQL enforces it; a file copied or
    restored without its constraints may not)."""
    problems = []
    for table in db.metadata.sorted_tables:
        for key in table.foreign_key_constraints:
            if len(key.elements) != 1:
                continue
            element = key.elements[0]
            column = element.parent
            # An alias, so that a table referring to itself (replies to comments) works too.
            referred = element.column.table.alias("referred")
            parent = referred.c[element.column.name]
            orphans = db.session.scalar(
                select(func.count()).select_from(table)
                .outerjoin(referred, parent == column)
                .where(column.is_not(None), parent.is_(None)))
            if orphans:
                problems.append(f"{orphans} row(s) of {table.name} refer to a missing "
                                f"{element.column.table.name} ({column.name}).")
    return problems


def _votes() -> list[str]:
    problems = []
    foreign = db.session.scalar(
        select(func.count()).select_from(Vote)
        .join(VoteRound, VoteRound.id == Vote.round_id)
        .join(Registration, Registration.id == Vote.registration_id)
        .where(Registration.consultation_id != VoteRound.consultation_id))
    if foreign:
        problems.append(f"{foreign} vote(s) come from a registration in another consultation.")
    doubled = db.session.execute(
        select(Vote.round_id, Vote.registration_id).where(Vote.registration_id.is_not(None))
        .group_by(Vote.round_id, Vote.registration_id).having(func.count() > 1)).all()
    for round_id, registration_id in doubled:
        problems.append(f"Registration {registration_id} has more than one vote in round "
                        f"{round_id}.")
    ahead = db.session.scalars(
        select(Vote.round_id).join(VoteRound, VoteRound.id == Vote.round_id)
        .where(Vote.seq > VoteRound.seq).distinct()).all()
    for round_id in ahead:
        problems.append(f"Round {round_id} has votes counted after its last stored change.")
    repeated = db.session.scalars(
        select(Vote.round_id).group_by(Vote.round_id, Vote.seq)
        .having(func.count() > 1).distinct()).all()
    for round_id in repeated:
        problems.append(f"Round {round_id} has two votes stored as the same change.")
    return problems


def _numbering(model, name: str) -> list[str]:
    """Numbered 1, 2, 3 ... per recommendation, without gaps."""
    rows = db.session.execute(
        select(model.recommendation_id, func.count(), func.min(model.number),
               func.max(model.number))
        .group_by(model.recommendation_id)).all()
    return [f"The {name}s of recommendation {recommendation_id} are not numbered 1 to "
            f"{count} without gaps."
            for recommendation_id, count, lowest, highest in rows
            if lowest != 1 or highest != count]


def _results() -> list[str]:
    """Each closed round's result follows from its votes by its rule, its counts are the ones
    recorded when it closed, and its recommendation's status follows from the last one."""
    problems = []
    recorded = {
        event.target_id: event.details for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "vote_round.closed",
                                     AuditEvent.target_type == VoteRound.__tablename__)
            .order_by(AuditEvent.id))}
    rounds = db.session.scalars(select(VoteRound).where(VoteRound.closed_at.is_not(None))
                                .order_by(VoteRound.recommendation_id, VoteRound.number)).all()
    last_decision: dict[int, VoteRound] = {}
    for round_ in rounds:
        tally = voting.tally(round_)
        outcome = adoption.decide(
            adoption.Rule(round_.rule.value), tally.devices, tally.in_room, quorum=tally.quorum,
            by_stakeholder_group=tally.by_stakeholder_group,
            stakeholder_rule=round_.stakeholder_rule)
        label = f"Round {round_.number} of recommendation {round_.recommendation.reference}"
        if (outcome.adopted, outcome.reason) != (round_.adopted, round_.result_reason):
            problems.append(f"{label}: the votes give {outcome.reason}, the round records "
                            f"{round_.result_reason}.")
        details = recorded.get(round_.id, {})
        payload = tally.as_payload()
        for part in ("counts", "in_room"):
            if part in details and details[part] != payload[part]:
                problems.append(f"{label}: the votes count {payload[part]}, {details[part]} "
                                f"were recorded when it closed.")
        if round_.amendment_id is None:
            last_decision[round_.recommendation_id] = round_
    decided = db.session.scalars(select(Recommendation).where(and_(
        Recommendation.status.in_((RecommendationStatus.adopted,
                                   RecommendationStatus.not_adopted))))).all()
    for recommendation in decided:
        round_ = last_decision.get(recommendation.id)
        expected = (None if round_ is None else RecommendationStatus.adopted if round_.adopted
                    else RecommendationStatus.not_adopted)
        if recommendation.status != expected:
            problems.append(f"Recommendation {recommendation.reference} is "
                            f"{recommendation.status.value} but its last vote says "
                            f"{expected.value if expected else 'nothing'}.")
    return problems


def _results_in(data) -> list[dict]:
    """The recommendation entries with a result, wherever the outcome's JSON holds them."""
    if isinstance(data, list):
        return [entry for item in data for entry in _results_in(item)]
    if not isinstance(data, dict):
        return []
    if {"id", "reference", "result"} <= data.keys() and isinstance(data["result"], dict):
        return [data]
    return [entry for value in data.values() for entry in _results_in(value)]


def _outcome_documents() -> list[str]:
    """The counts each compiled outcome document states are the ones its rounds' votes give
    (a closed round's votes never change)."""
    problems = []
    documents = db.session.execute(
        select(OutcomeDocument.consultation_id, OutcomeDocument.locale, OutcomeDocument.number,
               OutcomeDocument.data)).all()
    tallies: dict[tuple[int, int], dict | None] = {}
    for consultation_id, locale, number, data in documents:
        for entry in _results_in(data):
            result = entry["result"]
            key = (entry["id"], result.get("round"))
            if key not in tallies:
                round_ = db.session.scalar(select(VoteRound).where(
                    VoteRound.recommendation_id == key[0], VoteRound.number == key[1]))
                tallies[key] = voting.tally(round_).as_payload() if round_ else None
            tally = tallies[key]
            label = (f"Outcome document {number} in {locale} of consultation "
                     f"{consultation_id}, recommendation {entry['reference']}")
            if tally is None:
                problems.append(f"{label}: its round {key[1]} is missing.")
                continue
            stated = {count["value"]: (count["devices"], count["in_room"])
                      for count in result.get("counts", [])}
            counted = {value: (tally["counts"][value], tally["in_room"][value])
                       for value in tally["counts"]}
            if stated != counted:
                problems.append(f"{label}: the document states {stated}, the votes give "
                                f"{counted}.")
    return problems


def _outcome_files() -> list[str]:
    """Each stored outcome document's Word file, and its PDF once made, are the files whose
    SHA-256 was recorded (and shown to those who download them) when they were made."""
    problems = []
    rows = db.session.execute(select(
        OutcomeDocument.id, OutcomeDocument.consultation_id, OutcomeDocument.locale,
        OutcomeDocument.number, OutcomeDocument.sha256, OutcomeDocument.pdf_sha256))
    for document_id, consultation_id, locale, number, sha256, pdf_sha256 in rows:
        label = f"Outcome document {number} in {locale} of consultation {consultation_id}"
        content = db.session.scalar(select(OutcomeDocument.content).where(
            OutcomeDocument.id == document_id))
        if hashlib.sha256(content).hexdigest() != sha256:
            problems.append(f"{label}: its Word file is not the one recorded.")
        if pdf_sha256 is not None:
            pdf = db.session.scalar(select(OutcomeDocument.pdf).where(
                OutcomeDocument.id == document_id))
            if pdf is None or hashlib.sha256(pdf).hexdigest() != pdf_sha256:
                problems.append(f"{label}: its PDF is not the one recorded.")
    return problems
