import pytest

from consultations.models import Role
from recommendations import drafting
from recommendations.models import (
    AmendmentStatus,
    RecommendationStatus,
    VersionSource,
)


@pytest.fixture
def drafts(make_consultation, make_user, register):
    consultation = make_consultation()
    people = {role: make_user() for role in ("facilitator", "rapporteur", "participant",
                                             "other", "observer")}
    register(people["facilitator"], consultation, Role.facilitator)
    register(people["rapporteur"], consultation, Role.rapporteur)
    register(people["participant"], consultation, Role.participant)
    register(people["other"], consultation, Role.participant)
    register(people["observer"], consultation, Role.observer)
    return consultation, people


def test_every_change_is_a_new_version_and_the_old_ones_stay(drafts):
    consultation, people = drafts
    recommendation = drafting.create_recommendation(
        consultation, people["rapporteur"], title="Search and rescue", text="First text.")

    drafting.revise(recommendation, people["rapporteur"], "Second text.")

    assert [(v.number, v.text) for v in recommendation.versions] == [
        (1, "First text."), (2, "Second text.")]
    assert recommendation.reference == "R1"


def test_participants_and_observers_do_not_draft(drafts):
    consultation, people = drafts
    for who in ("participant", "observer"):
        with pytest.raises(drafting.DraftingRefused):
            drafting.create_recommendation(consultation, people[who], title="T", text="Text.")


def test_merging_links_the_new_recommendation_back_to_its_sources(drafts):
    consultation, people = drafts
    first = drafting.create_recommendation(consultation, people["rapporteur"], title="A",
                                           text="Text A.", gcm_objectives=[7])
    second = drafting.create_recommendation(consultation, people["rapporteur"], title="B",
                                            text="Text B.", gcm_objectives=[8])

    merged = drafting.merge(consultation, people["facilitator"], [first, second],
                            title="A and B", text="Text A and B.")

    version = merged.current_version
    assert version.source == VersionSource.merge
    assert {source.source_version.text for source in version.merged_from} == {"Text A.",
                                                                               "Text B."}
    assert first.status == second.status == RecommendationStatus.merged
    assert first.merged_into_id == merged.id
    assert merged.gcm_objectives == [7, 8]
    with pytest.raises(drafting.DraftingRefused):
        drafting.merge(consultation, people["rapporteur"], [first, second], title="x", text="y")


def test_renumbering_follows_the_plenary_order(drafts, session):
    consultation, people = drafts
    made = [drafting.create_recommendation(consultation, people["rapporteur"], title=str(n),
                                           text=f"Text {n}.") for n in range(3)]
    made[0].position, made[2].position = 3, 1
    session.flush()

    drafting.renumber(consultation, people["facilitator"])

    assert [r.reference for r in made] == ["R3", "R2", "R1"]


def test_an_amendment_is_supported_once_accepted_with_credit_or_rejected_with_a_reason(drafts):
    consultation, people = drafts
    recommendation = drafting.create_recommendation(
        consultation, people["rapporteur"], title="Families", text="Inform families.")
    amendment = drafting.propose_amendment(
        recommendation, people["participant"], text="Inform families within 48 hours.",
        rationale="Families wait for months.")

    assert drafting.support_amendment(amendment, people["other"]) is True
    assert drafting.support_amendment(amendment, people["other"]) is False
    assert len(amendment.supports) == 1
    with pytest.raises(drafting.DraftingRefused):
        drafting.accept_amendment(amendment, people["participant"])

    version = drafting.accept_amendment(amendment, people["rapporteur"])
    assert version.text == "Inform families within 48 hours."
    assert version.author_id == people["participant"].id
    assert amendment.status == AmendmentStatus.accepted

    second = drafting.propose_amendment(recommendation, people["other"], text="Tell families.")
    with pytest.raises(drafting.DraftingRefused):
        drafting.reject_amendment(second, people["facilitator"], "  ")
    drafting.reject_amendment(second, people["facilitator"], "Weaker than the current text.")
    assert second.status == AmendmentStatus.rejected
    assert second.decision_reason == "Weaker than the current text."


def test_an_amendment_against_an_older_version_cannot_be_accepted(drafts):
    consultation, people = drafts
    recommendation = drafting.create_recommendation(
        consultation, people["rapporteur"], title="T", text="Version one.")
    amendment = drafting.propose_amendment(recommendation, people["participant"], text="Mine.")
    drafting.revise(recommendation, people["rapporteur"], "Version two.")

    with pytest.raises(drafting.DraftingRefused) as refusal:
        drafting.accept_amendment(amendment, people["facilitator"])

    assert "proposed again" in refusal.value.reason


def test_only_the_author_withdraws_an_amendment(drafts):
    consultation, people = drafts
    recommendation = drafting.create_recommendation(
        consultation, people["rapporteur"], title="T", text="Text.")
    amendment = drafting.propose_amendment(recommendation, people["participant"], text="Mine.")

    with pytest.raises(drafting.DraftingRefused):
        drafting.withdraw_amendment(amendment, people["other"])
    drafting.withdraw_amendment(amendment, people["participant"])

    assert amendment.status == AmendmentStatus.withdrawn
