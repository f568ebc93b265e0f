import pytest
from sqlalchemy import func, select

from consultations.models import AdoptionRule, ConsultationStatus, RegistrationStatus, Role
from portal import permissions
from portal.accounts import operations
from portal.accounts.models import StakeholderGroup
from recommendations import breakdown, drafting, voting
from recommendations.adoption import Counts
from recommendations.models import (
    AmendmentStatus,
    RecommendationStatus,
    Vote,
    VoteChoice,
    VoteRound,
)


@pytest.fixture
def plenary(session, make_consultation, make_user, register):
    """A live consultation: a facilitator, a rapporteur, participants, an observer, and R1."""

    def make(rule=AdoptionRule.consensus, participants=4, text="States should share data."):
        consultation = make_consultation(adoption_rule=rule)
        people = {"facilitator": make_user(), "rapporteur": make_user(),
                  "observer": make_user(), "secretariat": make_user(), "outsider": make_user()}
        register(people["facilitator"], consultation, Role.facilitator)
        register(people["rapporteur"], consultation, Role.rapporteur)
        register(people["observer"], consultation, Role.observer)
        register(people["secretariat"], consultation, Role.secretariat)
        groups = [StakeholderGroup.member_state, StakeholderGroup.civil_society]
        voters = []
        for number in range(participants):
            user = make_user(stakeholder_group=groups[number % 2])
            register(user, consultation, Role.participant)
            voters.append(user)
        recommendation = drafting.create_recommendation(
            consultation, people["rapporteur"], title="Shared data on missing migrants",
            text=text, gcm_objectives=[8])
        return consultation, people, voters, recommendation

    return make


def test_a_vote_is_stored_once_and_can_be_changed_while_open(plenary, session):
    consultation, people, voters, recommendation = plenary()
    round_ = voting.open_round(recommendation, people["facilitator"])

    first = voting.cast_vote(round_, voters[0], "support")
    changed = voting.cast_vote(round_, voters[0], "oppose")

    assert changed.id == first.id
    assert session.scalar(select(func.count()).select_from(Vote)) == 1
    assert changed.choice == "oppose"
    assert changed.seq == 2
    assert voting.tally(round_).devices == Counts(oppose=1)


def test_support_with_reservations_needs_the_reservation_and_keeps_it(plenary):
    consultation, people, voters, recommendation = plenary()
    round_ = voting.open_round(recommendation, people["facilitator"])

    with pytest.raises(voting.VoteRefused) as refusal:
        voting.cast_vote(round_, voters[0], "support_with_reservations", "  ")
    vote = voting.cast_vote(round_, voters[0], "support_with_reservations",
                            "Subject to national data protection law.")

    assert refusal.value.code == "reservation_required"
    assert vote.reservation == "Subject to national data protection law."


@pytest.mark.parametrize("who", ["observer", "secretariat", "facilitator", "outsider"])
def test_only_participants_and_rapporteurs_vote(plenary, who):
    consultation, people, voters, recommendation = plenary()
    round_ = voting.open_round(recommendation, people["facilitator"])

    with pytest.raises(voting.VoteRefused) as refusal:
        voting.cast_vote(round_, people[who], "support")

    assert refusal.value.code == "not_eligible"
    assert voting.cast_vote(round_, people["rapporteur"], "support").choice == "support"


def test_an_invalid_choice_is_refused(plenary):
    consultation, people, voters, recommendation = plenary()
    round_ = voting.open_round(recommendation, people["facilitator"])

    for choice in ["yes", "", None, 3, "SUPPORT"]:
        with pytest.raises(voting.VoteRefused) as refusal:
            voting.cast_vote(round_, voters[0], choice)
        assert refusal.value.code == "invalid_choice"


def test_a_closed_round_refuses_votes_with_a_clear_message(plenary):
    consultation, people, voters, recommendation = plenary()
    round_ = voting.open_round(recommendation, people["facilitator"])
    voting.close_round(round_, people["facilitator"], confirmed=True)

    with pytest.raises(voting.VoteRefused) as refusal:
        voting.cast_vote(round_, voters[0], "support")

    assert refusal.value.code == "round_closed"
    assert refusal.value.reason == "This vote is closed: your vote was not counted."


def test_a_round_past_its_deadline_refuses_votes(plenary, session):
    consultation, people, voters, recommendation = plenary()
    round_ = voting.open_round(recommendation, people["facilitator"], countdown_seconds=60)
    round_.closes_at = round_.opened_at
    session.flush()

    with pytest.raises(voting.VoteRefused):
        voting.cast_vote(round_, voters[0], "support")
    assert voting.rounds_past_deadline() == [round_]


def test_consensus_adopts_when_nobody_opposes_and_the_result_is_stored(plenary):
    consultation, people, voters, recommendation = plenary()
    round_ = voting.open_round(recommendation, people["facilitator"])
    voting.cast_vote(round_, voters[0], "support")
    voting.cast_vote(round_, voters[1], "support_with_reservations", "Needs funding.")
    voting.cast_vote(round_, voters[2], "abstain")

    outcome = voting.close_round(round_, people["facilitator"], confirmed=True)

    assert outcome.adopted
    assert (round_.adopted, round_.result_reason, round_.rule) == (
        True, "adopted", AdoptionRule.consensus)
    assert recommendation.status == RecommendationStatus.adopted


def test_in_room_counts_are_added_and_can_decide(plenary):
    consultation, people, voters, recommendation = plenary(rule=AdoptionRule.simple_majority)
    round_ = voting.open_round(recommendation, people["facilitator"])
    voting.cast_vote(round_, voters[0], "support")
    voting.cast_vote(round_, voters[1], "oppose")
    voting.set_in_room_counts(round_, people["facilitator"], Counts(oppose=2))

    outcome = voting.close_round(round_, people["facilitator"], confirmed=True)

    assert not outcome.adopted
    assert outcome.oppose == 3
    assert recommendation.status == RecommendationStatus.not_adopted


def test_the_stakeholder_rule_blocks_when_one_group_mostly_opposes(plenary):
    consultation, people, voters, recommendation = plenary(
        rule=AdoptionRule.simple_majority, participants=6)
    round_ = voting.open_round(recommendation, people["facilitator"], stakeholder_rule=True)
    # Even-numbered voters are Member States, odd ones civil society.
    for voter in voters[0::2]:
        voting.cast_vote(round_, voter, "oppose")
    for voter in voters[1::2]:
        voting.cast_vote(round_, voter, "support")
    voting.cast_vote(round_, people["rapporteur"], "support")

    outcome = voting.close_round(round_, people["facilitator"], confirmed=True)

    assert not outcome.adopted
    assert outcome.reason == "stakeholder_group_opposed"
    assert outcome.opposing_group == "member_state"


def test_a_quorum_not_reached_adopts_nothing(plenary):
    consultation, people, voters, recommendation = plenary(rule=AdoptionRule.simple_majority)
    round_ = voting.open_round(recommendation, people["facilitator"], quorum=3)
    voting.cast_vote(round_, voters[0], "support")

    assert voting.close_round(round_, people["facilitator"], confirmed=True).reason == "no_quorum"


def test_text_in_brackets_cannot_go_to_a_final_vote(plenary):
    consultation, people, voters, recommendation = plenary(
        text="States should [share][exchange] data.")

    with pytest.raises(voting.VoteRefused) as refusal:
        voting.open_round(recommendation, people["facilitator"])

    assert "square brackets" in refusal.value.reason


def test_only_one_round_is_open_at_a_time_and_a_rerun_is_a_new_round(plenary, session):
    consultation, people, voters, recommendation = plenary(rule=AdoptionRule.simple_majority)
    first = voting.open_round(recommendation, people["facilitator"])
    with pytest.raises(voting.VoteRefused):
        voting.open_round(recommendation, people["facilitator"])
    voting.set_in_room_counts(first, people["facilitator"], Counts())
    first.closed_at = first.opened_at  # closed without a result, as by a mistaken opening
    session.flush()

    second = voting.open_round(recommendation, people["facilitator"])

    assert (first.number, second.number) == (1, 2)
    assert session.scalar(select(func.count()).select_from(VoteRound)) == 2


def test_only_a_facilitator_of_a_live_consultation_runs_votes(plenary, session):
    consultation, people, voters, recommendation = plenary()
    with pytest.raises(voting.VoteRefused):
        voting.open_round(recommendation, people["rapporteur"])
    consultation.status = ConsultationStatus.closed
    session.flush()
    with pytest.raises(voting.VoteRefused):
        voting.open_round(recommendation, people["facilitator"])


def test_an_amendment_adopted_by_vote_becomes_the_new_version(plenary):
    consultation, people, voters, recommendation = plenary()
    amendment = drafting.propose_amendment(
        recommendation, voters[0], text="States should share forensic data.",
        rationale="Forensic data is what identifies the dead.")
    round_ = voting.open_round(recommendation, people["facilitator"], amendment=amendment,
                               quorum=1)
    voting.cast_vote(round_, voters[1], "support")

    voting.close_round(round_, people["facilitator"], confirmed=True)

    assert amendment.status == AmendmentStatus.accepted
    assert recommendation.current_version.text == "States should share forensic data."
    assert recommendation.current_version.author_id == voters[0].id
    assert recommendation.status == RecommendationStatus.draft


def test_the_tally_has_counts_by_group_and_turnout_but_no_names(plenary):
    consultation, people, voters, recommendation = plenary()
    round_ = voting.open_round(recommendation, people["facilitator"])
    voting.cast_vote(round_, voters[0], "support")
    voting.cast_vote(round_, voters[1], "oppose")

    payload = breakdown.tally_payload(round_, voting.tally(round_), breakdown.Audience.chair)

    assert payload["counts"] == {"support": 1, "support_with_reservations": 0, "oppose": 1,
                                 "abstain": 0}
    assert payload["by_stakeholder_group"]["member_state"]["support"] == 1
    assert payload["by_stakeholder_group"]["civil_society"]["oppose"] == 1
    assert payload["turnout"] == {"voted": 2, "present": 5, "cast": 2, "quorum": 3}
    assert payload["seq"] == 2
    assert not any(voter.name in str(payload) for voter in voters)


@pytest.mark.parametrize("consultation_status", [ConsultationStatus.live,
                                                 ConsultationStatus.closed])
@pytest.mark.parametrize("status", list(RegistrationStatus))
@pytest.mark.parametrize("role", list(Role))
def test_the_check_stored_with_each_vote_agrees_with_who_may_vote(
    plenary, session, role, status, consultation_status
):
    consultation, people, voters, recommendation = plenary()
    round_ = voting.open_round(recommendation, people["facilitator"])
    registration = voters[0].registrations[0]
    registration.role, registration.status = role, status
    consultation.status = consultation_status
    session.flush()
    operations.start_sign_in(voters[0], "credentials")
    voter = voting.Voter(round_id=round_.id, registration_id=registration.id,
                         sign_in_id=voters[0].current_sign_in.id,
                         stakeholder_group=registration.stakeholder_group)

    stored = voting.store_vote(voter, VoteChoice.support, None)

    assert (stored is not None) == permissions.may_vote(voters[0], consultation)


def test_the_check_stored_with_each_vote_refuses_a_device_signed_out(plenary, session):
    consultation, people, voters, recommendation = plenary()
    round_ = voting.open_round(recommendation, people["facilitator"])
    operations.start_sign_in(voters[0], "credentials")
    voter = voting.voter_in(round_, voters[0])
    assert voting.store_vote(voter, VoteChoice.support, None) is not None

    operations.end_sign_in(voters[0].current_sign_in)

    assert voting.store_vote(voter, VoteChoice.oppose, None) is None
    assert voting.tally(round_).devices.oppose == 0
