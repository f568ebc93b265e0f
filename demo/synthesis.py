"""The demo review's synthesis and silence procedure: the adopted recommendations of the
review's consultations grouped as the portal suggests (the others alone), synthesised texts in
English and French taken from their sources, a saved version, and a silence procedure on it
whose deadline has passed, broken by the government of Ghana and closed.

``seed_synthesis(review)`` is called by the demo's seeding once the review exists; it does
nothing to a review whose synthesis has a version already."""

from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

from flask import current_app, has_request_context
from sqlalchemy import select

from consultations.models import Registration, RegistrationStatus
from demo.people import DEMO_DOMAIN
from portal.accounts.models import StakeholderGroup, User
from portal.accounts.operations import find_account
from portal.extensions import db
from portal.permissions import same_organisation
from reviews import provenance, silence, synthesis, versions
from reviews.models import Review, SynthesisVersion

#: The State that breaks the silence in the demo, and why.
BREAKING_STATE = "Ministry of Foreign Affairs of Ghana"
BREAKING_REASON = ("Ghana supports the text but cannot accept the deadline of one year in S1 "
                   "before its national focal point is established by law.")
BREAKING_AMENDMENT = "Replace \"within one year\" by \"as soon as national law allows\"."


def _secretary(review: Review) -> User:
    if review.secretariat:
        return review.secretariat[0].user
    return find_account(f"admin@{DEMO_DOMAIN}")


def _group_everything(review: Review, secretary: User) -> None:
    for suggested in synthesis.suggestions(review):
        synthesis.create_group(review, secretary, suggested)
    for recommendation in synthesis.ungrouped(review):
        synthesis.create_group(review, secretary, [recommendation])
    for group in synthesis.groups_of(review):
        first = group.sources[0].recommendation
        texts = provenance.texts_of(first)
        synthesis.edit_group(group, secretary, title=group.title,
                             objectives=group.gcm_objectives,
                             texts={locale: texts.get(locale, "") for locale in ("en", "fr")
                                    if locale in provenance.languages_of(review)})


def _state_delegate(review: Review, organisation: str) -> User | None:
    consultation_ids = [attachment.consultation_id for attachment in review.attachments]
    for registration in db.session.scalars(select(Registration).where(
            Registration.consultation_id.in_(consultation_ids),
            Registration.status == RegistrationStatus.approved,
            Registration.stakeholder_group == StakeholderGroup.member_state)):
        if same_organisation(registration.organisation, organisation):
            return registration.user
    return None


#: Where ``make demo`` serves the portal: the demo's e-mails link there unless SERVER_NAME
#: names the portal's address.
LOCAL_PORTAL = "http://127.0.0.1:5000"


def _links_to_the_portal():
    """A request context for the e-mails the demo writes (the silence procedure closed)."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return nullcontext()
    return current_app.test_request_context(base_url=LOCAL_PORTAL)


def seed_synthesis(review: Review) -> SynthesisVersion | None:
    """Group, write, save, circulate and close, as the review's secretariat would have."""
    if versions.versions_of(review) or not provenance.adopted_recommendations(review):
        return None
    secretary = _secretary(review)
    _group_everything(review, secretary)
    version = versions.save_version(review, secretary, "Circulated to the Member States for "
                                                       "validation by silence procedure")
    # Circulated a week after the review met, for two weeks.
    circulated = datetime(2024, 10, 1, 9, 0, tzinfo=UTC)
    version.created_at = circulated
    deadline = circulated + timedelta(days=14, hours=3)
    procedure = silence.open_procedure(
        version, secretary, deadline=deadline, now=circulated,
        validators=silence.default_validators(review), amendments_allowed=True)
    delegate = _state_delegate(review, BREAKING_STATE)
    validator = next((validator for validator in procedure.validators
                      if same_organisation(validator.organisation, BREAKING_STATE)), None)
    if delegate is not None and validator is not None:
        silence.break_silence(validator, delegate, reason=BREAKING_REASON,
                              amendment=BREAKING_AMENDMENT, now=deadline - timedelta(days=3))
    # Closed by the command that runs every five minutes.
    with _links_to_the_portal():
        silence.close_due_procedures(review=review, now=deadline + timedelta(minutes=5))
    return version
