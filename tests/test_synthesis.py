"""Building a review's synthesis: suggested groups by text similarity, confirmed, split,
merged and moved by the review's secretariat alone; synthesised texts; frozen versions."""

import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.permissions import NotPermitted
from recommendations.models import (
    Recommendation,
    RecommendationStatus,
    RecommendationVersion,
    TranslationStatus,
    VersionSource,
    VersionTranslation,
)
from reviews import provenance, synthesis, versions
from reviews.models import ReviewConsultation
from tests.conftest import csrf_token_from, sign_in, submit
from tests.review_fixtures import build_review, make_review

PAGE = "/reviews/africa-2024/synthesis"


@pytest.fixture
def world(session, make_user, make_consultation, register):
    return build_review(session, make_user, make_consultation, register)


def words(response) -> str:
    """A page's text as read: tags taken out, spacing collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def references(groups) -> list[list[str]]:
    return [[f"{r.consultation.slug} {r.reference}" for r in group] for group in groups]


def adopted_in(session, consultation, *, number, title, text, locale, translations=()):
    recommendation = Recommendation(consultation=consultation, number=number, title=title,
                                    status=RecommendationStatus.adopted)
    version = RecommendationVersion(number=1, text=text, locale=locale,
                                    source=VersionSource.drafted)
    version.translations = [VersionTranslation(locale=other, title=title, text=translated,
                                               status=TranslationStatus.reviewed)
                            for other, translated in translations]
    recommendation.versions = [version]
    session.add(recommendation)
    session.flush()
    return recommendation


def test_the_portal_suggests_grouping_the_same_proposal_adopted_by_two_consultations(world):
    suggested = synthesis.suggestions(world.review)
    assert references(suggested) == [["dakar R1", "abuja R1"], ["dakar R2", "abuja R2"]]
    # Not adopted (R3) and undecided (R4) recommendations are no sources of the synthesis.
    assert {r.reference for r in synthesis.ungrouped(world.review)} == {"R1", "R2"}
    assert references(synthesis.suggestions(world.review)) == references(suggested)


def test_a_text_written_in_french_is_compared_through_its_english_translation(
        session, world, make_consultation):
    lome = make_consultation(slug="lome", working_languages=["fr"])
    world.review.attachments.append(ReviewConsultation(consultation=lome))
    adopted_in(session, lome, number=1, title="Débarquement", locale="fr",
               text="Les États côtiers devraient débarquer toute personne secourue en mer "
                    "dans un lieu sûr.",
               translations=[("en", "Coastal States should land every person rescued at sea "
                                    "at a safe place.")])
    adopted_in(session, lome, number=2, title="Enfants", locale="fr",
               text="Les États devraient mettre fin à la détention des enfants.")
    session.flush()
    suggested = references(synthesis.suggestions(world.review))
    assert ["dakar R2", "abuja R2", "lome R1"] in suggested
    # Without a translation, a French text shares no language with the English ones.
    assert not any("lome R2" in group for group in suggested)


def test_the_secretary_confirms_a_suggested_group_on_the_synthesis_page(client, world):
    sign_in(client, world.secretary.email)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Suggested groups" in page and "Confirm this group" in page
    r1s = [world.dakar.recommendations["R1"].id, world.abuja.recommendations["R1"].id]
    response = submit(client, f"{PAGE}/groups", {"recommendations": r1s}, form_path=PAGE)
    assert response.status_code == 302
    [group] = synthesis.groups_of(world.review)
    assert sorted(source.recommendation_id for source in group.sources) == sorted(r1s)
    assert group.title == "A regional network of focal points" and group.gcm_objectives == [8]
    page = words(client.get(PAGE))
    assert "S1. A regional network of focal points" in page
    # The provenance shown with each source: the result and its turnout.
    assert ("Adopted by consensus: 12 in favour, 0 in favour with reservations, 0 against, "
            "2 abstaining; 14 votes cast, 6 voting participants present.") in page


def test_split_move_and_merge_reshape_the_groups(session, client, world):
    d, a = world.dakar.recommendations, world.abuja.recommendations
    first = synthesis.create_group(world.review, world.secretary, [d["R1"], a["R1"], a["R2"]])
    second = synthesis.create_group(world.review, world.secretary, [d["R2"]])
    sign_in(client, world.secretary.email)
    moved = next(s for s in first.sources if s.recommendation_id == a["R2"].id)
    submit(client, f"{PAGE}/sources/{moved.id}/move", {"target": second.id}, form_path=PAGE)
    session.expire_all()
    assert {s.recommendation_id for s in second.sources} == {d["R2"].id, a["R2"].id}
    assert second.gcm_objectives == [7, 8]
    split = next(s for s in first.sources if s.recommendation_id == a["R1"].id)
    submit(client, f"{PAGE}/sources/{split.id}/split", {}, form_path=PAGE)
    session.expire_all()
    groups = synthesis.groups_of(world.review)
    assert [sorted(s.recommendation.consultation.slug for s in g.sources) for g in groups] == [
        ["dakar"], ["abuja", "dakar"], ["abuja"]]
    submit(client, f"{PAGE}/groups/{groups[2].id}/merge", {"target": first.id}, form_path=PAGE)
    session.expire_all()
    groups = synthesis.groups_of(world.review)
    assert len(groups) == 2
    assert {s.recommendation_id for s in first.sources} == {d["R1"].id, a["R1"].id}
    submit(client, f"{PAGE}/groups/{second.id}/up", {}, form_path=PAGE)
    session.expire_all()
    assert [g.reference for g in synthesis.groups_of(world.review)] == ["S2", "S1"]


def test_the_synthesised_text_is_written_in_each_language_of_the_review(session, client, world):
    d, a = world.dakar.recommendations, world.abuja.recommendations
    group = synthesis.create_group(world.review, world.secretary, [d["R1"], a["R1"]])
    sign_in(client, world.secretary.email)
    response = submit(client, f"{PAGE}/groups/{group.id}", {
        "title": "Focal points", "gcm_objectives": ["8", "23"],
        "text_en": "Every State designates a focal point.",
        "text_fr": "Chaque État désigne un point focal."}, form_path=PAGE)
    assert response.status_code == 302
    session.expire_all()
    assert (group.title, group.gcm_objectives) == ("Focal points", [8, 23])
    assert synthesis.text_in(group, "fr") == "Chaque État désigne un point focal."
    refused = submit(client, f"{PAGE}/groups/{group.id}", {
        "title": "", "text_en": "A text I took time to write."}, form_path=PAGE)
    assert refused.status_code == 400
    assert "A text I took time to write." in refused.get_data(as_text=True)
    session.expire_all()
    assert group.title == "Focal points"


@pytest.mark.parametrize("who", ["p1", "facilitator", "secretariat"])
def test_people_of_the_consultations_may_not_build_the_synthesis(client, world, who):
    person = world.dakar.users[who]
    sign_in(client, person.email)
    assert client.get(PAGE).status_code == 403
    ids = [world.dakar.recommendations["R1"].id]
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post(f"{PAGE}/groups", data={"recommendations": ids, "csrf_token": token}
                       ).status_code == 403
    with pytest.raises(NotPermitted):
        synthesis.create_group(world.review, person, [world.dakar.recommendations["R1"]])
    assert synthesis.groups_of(world.review) == []


def test_a_review_that_is_not_public_is_not_acknowledged_to_outsiders(
        session, client, world, make_consultation):
    private = make_review(session, world.dakar.consultation, slug="private-review",
                          is_public=False, secretariat=[world.secretary])
    sign_in(client, world.dakar.users["p1"].email)
    assert client.get(f"/reviews/{private.slug}/synthesis").status_code == 404
    assert client.get(f"/reviews/{private.slug}/synthesis/versions").status_code == 404


def test_a_saved_version_keeps_its_texts_and_provenance_when_the_synthesis_changes(
        session, client, world):
    d, a = world.dakar.recommendations, world.abuja.recommendations
    group = synthesis.create_group(world.review, world.secretary, [d["R2"], a["R2"]])
    synthesis.edit_group(group, world.secretary, title="Safe landing", objectives=[7, 8],
                         texts={"en": "Land rescued people at a safe place.", "fr": ""})
    sign_in(client, world.secretary.email)
    response = submit(client, f"{PAGE}/versions", {"note": "For the Member States"},
                      form_path=PAGE)
    assert response.status_code == 302
    [version] = versions.versions_of(world.review)
    synthesis.edit_group(group, world.secretary, title="Changed", objectives=[7],
                         texts={"en": "Another text."})
    synthesis.split_source(group.sources[0], world.secretary)
    session.expire_all()
    [entry] = version.content["recommendations"]
    assert entry["texts"] == {"en": "Land rescued people at a safe place."}
    assert [s["consultation"]["slug"] for s in entry["sources"]] == ["dakar", "abuja"]
    result = entry["sources"][0]["result"]
    assert result["counts"]["support_with_reservations"] == 1 and result["present"] == 6
    assert result["reservations"] == [{"text": "Subject to the national law on personal data.",
                                       "group": "red_cross"}]
    page = client.get(f"{PAGE}/versions/1").get_data(as_text=True)
    assert "Land rescued people at a safe place." in page and "Another text." not in page
    assert "Subject to the national law on personal data." in page
    assert session.scalar(select(AuditEvent).where(
        AuditEvent.action == "synthesis.version_saved")) is not None


def test_an_empty_synthesis_cannot_be_saved_as_a_version(client, world):
    sign_in(client, world.secretary.email)
    response = submit(client, f"{PAGE}/versions", {"note": ""}, form_path=PAGE,
                      follow_redirects=True)
    assert "Group at least one recommendation before saving a version." in \
        response.get_data(as_text=True)
    assert versions.versions_of(world.review) == []


def test_the_review_languages_are_those_of_its_consultations(world):
    assert provenance.languages_of(world.review) == ["en", "fr"]
    world.abuja.consultation.working_languages = ["ar", "en"]
    assert provenance.languages_of(world.review) == ["en", "fr", "ar"]
