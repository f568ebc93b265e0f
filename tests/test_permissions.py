"""Each permission rule, for each kind of person, on a live consultation and where the
consultation's status changes the answer."""

import pytest
from flask_login import AnonymousUserMixin

from consultations.models import ConsultationStatus, RegistrationStatus, Role
from portal import permissions

PEOPLE = [
    "anonymous", "signed_in", "pending", "declined_facilitator", "participant", "rapporteur",
    "observer", "translator", "secretariat", "facilitator", "other_facilitator", "admin",
]


@pytest.fixture
def person(make_user, make_consultation, register):
    """Build the person of a given kind with their roles in ``consultation``."""

    def build(kind: str, consultation):
        if kind == "anonymous":
            return AnonymousUserMixin()
        user = make_user(is_admin=kind == "admin")
        if kind == "pending":
            register(user, consultation, Role.participant, RegistrationStatus.pending)
        elif kind == "declined_facilitator":
            register(user, consultation, Role.facilitator, RegistrationStatus.declined)
        elif kind == "other_facilitator":
            register(user, make_consultation(), Role.facilitator)
        elif kind in {"participant", "rapporteur", "observer", "translator", "secretariat",
                      "facilitator"}:
            register(user, consultation, Role(kind))
        return user

    return build


def allowed(make_consultation, person, rule, status=ConsultationStatus.live) -> set[str]:
    consultation = make_consultation(status=status)
    return {kind for kind in PEOPLE if rule(person(kind, consultation), consultation)}


def test_only_facilitators_and_admins_see_a_draft(make_consultation, person):
    assert allowed(make_consultation, person, permissions.may_view_consultation,
                   ConsultationStatus.draft) == {"facilitator", "admin"}


@pytest.mark.parametrize("status", [ConsultationStatus.registration_open,
                                    ConsultationStatus.live, ConsultationStatus.archived])
def test_everyone_sees_a_published_consultation(make_consultation, person, status):
    assert allowed(make_consultation, person, permissions.may_view_consultation, status) == set(
        PEOPLE)


def test_the_listing_query_matches_the_rule(session, make_consultation, person, make_user):
    from sqlalchemy import select

    from consultations.models import Consultation

    draft = make_consultation(status=ConsultationStatus.draft)
    for kind in PEOPLE:
        user = person(kind, draft)
        visible = session.execute(
            select(Consultation.id).where(
                Consultation.id == draft.id, permissions.visible_consultations(user))
        ).first() is not None
        assert visible == permissions.may_view_consultation(user, draft), kind


@pytest.mark.parametrize("rule", [permissions.may_edit_consultation,
                                  permissions.may_manage_registrations,
                                  permissions.may_moderate])
def test_facilitators_and_admins_set_up_and_moderate(make_consultation, person, rule):
    assert allowed(make_consultation, person, rule) == {"facilitator", "admin"}


def test_facilitators_appoint_every_role_and_the_secretariat_its_translators(
        make_consultation, person):
    consultation = make_consultation(status=ConsultationStatus.live)
    appointing = {kind: permissions.roles_to_appoint(person(kind, consultation), consultation)
                  for kind in PEOPLE}
    assert {kind for kind, roles in appointing.items() if roles} == {
        "secretariat", "facilitator", "admin"}
    assert appointing["facilitator"] == appointing["admin"] == list(Role)
    assert appointing["secretariat"] == [Role.translator]


def test_the_secretariat_also_sees_registrations(make_consultation, person):
    assert allowed(make_consultation, person, permissions.may_view_registrations) == {
        "secretariat", "facilitator", "admin"}


def test_check_in_is_for_the_organising_team_until_the_consultation_ends(
    make_consultation, person
):
    team = {"secretariat", "facilitator", "admin"}
    assert allowed(make_consultation, person, permissions.may_check_in) == team
    assert allowed(make_consultation, person, permissions.may_check_in,
                   ConsultationStatus.closed) == set()


def test_registration_is_open_to_those_without_a_live_registration(make_consultation, person):
    assert allowed(make_consultation, person, permissions.may_register,
                   ConsultationStatus.registration_open) == {
        "anonymous", "signed_in", "declined_facilitator", "other_facilitator", "admin"}
    assert allowed(make_consultation, person, permissions.may_register) == set()


def test_discussions_are_read_by_everyone_admitted(make_consultation, person):
    assert allowed(make_consultation, person, permissions.may_read_discussions) == {
        "participant", "rapporteur", "observer", "translator", "secretariat", "facilitator",
        "admin"}


def test_observers_and_the_secretariat_read_but_do_not_speak(make_consultation, person):
    speakers = {"participant", "rapporteur", "facilitator"}
    assert allowed(make_consultation, person, permissions.may_comment) == speakers
    assert allowed(make_consultation, person, permissions.may_propose_amendments) == speakers
    assert allowed(make_consultation, person, permissions.may_comment,
                   ConsultationStatus.closed) == set()


def test_amendments_only_while_live(make_consultation, person):
    assert allowed(make_consultation, person, permissions.may_propose_amendments,
                   ConsultationStatus.registration_open) == set()


def test_rapporteurs_and_facilitators_draft_recommendations(make_consultation, person):
    assert allowed(make_consultation, person, permissions.may_draft_recommendations) == {
        "rapporteur", "facilitator"}
    assert allowed(make_consultation, person, permissions.may_draft_recommendations,
                   ConsultationStatus.archived) == set()


def test_participants_and_rapporteurs_vote_while_live(make_consultation, person):
    assert allowed(make_consultation, person, permissions.may_vote) == {
        "participant", "rapporteur"}
    assert allowed(make_consultation, person, permissions.may_vote,
                   ConsultationStatus.closed) == set()


def test_facilitators_run_the_votes(make_consultation, person):
    assert allowed(make_consultation, person, permissions.may_run_votes) == {"facilitator"}
    assert allowed(make_consultation, person, permissions.may_run_votes,
                   ConsultationStatus.registration_open) == set()


def test_secretariat_facilitators_and_admins_compile_the_outcome(make_consultation, person):
    assert allowed(make_consultation, person, permissions.may_compile_outcome,
                   ConsultationStatus.closed) == {"secretariat", "facilitator", "admin"}


def test_translators_and_the_team_that_compiles_translate(make_consultation, person):
    assert allowed(make_consultation, person, permissions.may_translate,
                   ConsultationStatus.closed) == {"translator", "secretariat", "facilitator",
                                                  "admin"}
    assert allowed(make_consultation, person, permissions.may_translate_consultation_texts,
                   ConsultationStatus.registration_open) == {
        "translator", "secretariat", "facilitator", "admin"}


def test_a_translation_is_reviewed_by_someone_other_than_its_translator(
        make_consultation, person):
    from types import SimpleNamespace

    consultation = make_consultation(status=ConsultationStatus.live)
    translator = person("translator", consultation)
    secretariat = person("secretariat", consultation)
    translation = SimpleNamespace(translated_by_id=translator.id)
    assert not permissions.may_review_translation(translator, consultation, translation)
    assert permissions.may_review_translation(secretariat, consultation, translation)
    assert not permissions.may_review_translation(secretariat, consultation, None)
    participant = person("participant", consultation)
    assert not permissions.may_review_translation(participant, consultation, translation)


@pytest.mark.parametrize("final, readers", [
    (False, {"secretariat", "facilitator", "admin"}),
    (True, {"participant", "rapporteur", "observer", "translator", "secretariat", "facilitator",
            "admin"}),
])
def test_drafts_of_the_outcome_are_for_the_team_and_the_final_one_for_everyone_admitted(
    make_consultation, person, final, readers
):
    from recommendations.outcome.models import OutcomeDocument

    consultation = make_consultation(status=ConsultationStatus.closed)
    document = OutcomeDocument(consultation=consultation, locale="en", number=1, final=final)
    assert {kind for kind in PEOPLE if permissions.may_read_outcome_document(
        person(kind, consultation), document)} == readers


def test_a_breakout_summary_is_written_by_its_rapporteur_and_the_team(
    session, make_consultation, make_user, register, person
):
    from consultations.models import AgendaItem, AgendaItemKind, BreakoutGroup

    consultation = make_consultation()
    rapporteur, other_rapporteur = make_user(), make_user()
    register(rapporteur, consultation, Role.rapporteur)
    register(other_rapporteur, consultation, Role.rapporteur)
    round_ = AgendaItem(consultation=consultation, kind=AgendaItemKind.breakout_round,
                        title="Round", starts_at=consultation.starts_at,
                        ends_at=consultation.ends_at)
    group = BreakoutGroup(round=round_, name="Group A", rapporteur=rapporteur)
    session.add_all([round_, group])
    session.flush()

    writers = {kind for kind in PEOPLE
               if permissions.may_write_breakout_summary(person(kind, consultation), group)}
    assert writers == {"secretariat", "facilitator", "admin"}
    assert permissions.may_write_breakout_summary(rapporteur, group)
    assert not permissions.may_write_breakout_summary(other_rapporteur, group)
    permissions.registration_of(rapporteur, consultation).status = RegistrationStatus.cancelled
    assert not permissions.may_write_breakout_summary(rapporteur, group)


def test_audit_log_for_admins_and_a_consultations_own_for_its_facilitators(
    make_consultation, person
):
    consultation = make_consultation()
    whole_log = {kind for kind in PEOPLE
                 if permissions.may_view_audit(person(kind, consultation))}
    assert whole_log == {"admin"}
    assert allowed(make_consultation, person, permissions.may_view_audit) == {
        "facilitator", "admin"}


def test_a_role_counts_only_while_the_registration_is_approved(
    make_user, make_consultation, register
):
    user = make_user()
    consultation = make_consultation()
    registration = register(user, consultation, Role.participant, RegistrationStatus.approved)
    assert permissions.may_vote(user, consultation)

    registration.status = RegistrationStatus.cancelled

    assert not permissions.may_vote(user, consultation)
    assert permissions.role_in(user, consultation) is None


@pytest.fixture
def breakout_thread(session, make_user, register):
    """A thread of a published breakout group, with who belongs to it."""
    from consultations import breakouts
    from consultations.models import AgendaItem, AgendaItemKind, BreakoutGroup, Thread

    def make(consultation, member, outsider, published=True):
        round_ = AgendaItem(consultation=consultation, kind=AgendaItemKind.breakout_round,
                            title="Round", starts_at=consultation.starts_at,
                            ends_at=consultation.ends_at)
        group = BreakoutGroup(round=round_, name="Group A")
        other = BreakoutGroup(round=round_, name="Group B")
        thread = Thread(consultation=consultation, breakout_group=group, title="Question")
        session.add_all([round_, group, other, thread])
        session.flush()
        admin = make_user(is_admin=True)
        breakouts.move(round_, permissions.registration_of(member, consultation), group, admin)
        breakouts.move(round_, permissions.registration_of(outsider, consultation), other, admin)
        if published:
            breakouts.publish(round_, admin)
        return thread

    return make


def test_breakout_threads_are_read_by_members_and_the_organisers_and_written_by_members(
    make_consultation, person, make_user, register, breakout_thread
):
    consultation = make_consultation()
    people = {kind: person(kind, consultation) for kind in PEOPLE}
    member, outsider = make_user(), make_user()
    register(member, consultation, Role.participant)
    register(outsider, consultation, Role.participant)
    people.update(member=member, other_group=outsider)
    thread = breakout_thread(consultation, member, outsider)

    readers = {kind for kind, user in people.items() if permissions.may_read_thread(user, thread)}
    writers = {kind for kind, user in people.items()
               if permissions.may_write_in_thread(user, thread)}

    assert readers == {"member", "observer", "secretariat", "facilitator", "admin"}
    assert writers == {"member", "facilitator"}


def test_before_publication_only_the_organisers_read_a_breakout(
    make_consultation, make_user, register, breakout_thread
):
    consultation = make_consultation()
    member, outsider = make_user(), make_user()
    register(member, consultation, Role.participant)
    register(outsider, consultation, Role.participant)

    thread = breakout_thread(consultation, member, outsider, published=False)

    assert not permissions.may_read_thread(member, thread)


def test_names_under_chatham_house_are_for_moderators_only(make_consultation, person):
    from consultations.models import AttributionRule

    assert allowed(make_consultation, person, permissions.may_see_author_names) == set(PEOPLE)
    chatham = make_consultation(attribution_rule=AttributionRule.chatham_house)
    assert {kind for kind in PEOPLE if permissions.may_see_author_names(
        person(kind, chatham), chatham)} == {"facilitator", "admin"}


def test_admins_and_facilitators_set_up_new_consultations(make_consultation, person):
    consultation = make_consultation()
    creators = {kind for kind in PEOPLE
                if permissions.may_create_consultation(person(kind, consultation))}

    assert creators == {"facilitator", "other_facilitator", "admin"}
