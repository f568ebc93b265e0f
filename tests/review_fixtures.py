"""A review of two consultations, built directly with the models (the review's own pages are
tested elsewhere), for the tests of the synthesis and the silence procedure."""

from dataclasses import dataclass
from datetime import date

from consultations.models import Region
from recommendations.models import Recommendation
from reviews.models import Review, ReviewConsultation, ReviewSecretariatMember
from tests.outcome_data import Built, build_outcome_consultation


@dataclass
class ReviewWorld:
    review: Review
    dakar: Built
    abuja: Built
    secretary: object

    def adopted(self, built: Built, reference: str) -> Recommendation:
        return built.recommendations[reference]


def make_review(session, *consultations, slug: str = "africa-2024", is_public: bool = True,
                secretariat=()) -> Review:
    review = Review(slug=slug, title="2024 GCM regional review for Africa", region=Region.africa,
                    starts_on=date(2024, 3, 1), ends_on=date(2024, 12, 1), is_public=is_public)
    review.attachments = [ReviewConsultation(consultation=consultation)
                          for consultation in consultations]
    review.secretariat = [ReviewSecretariatMember(user=user) for user in secretariat]
    session.add(review)
    session.flush()
    return review


def build_review(session, make_user, make_consultation, register, **options) -> ReviewWorld:
    """Two consultations after their plenary, each with R1 and R2 adopted (the same texts:
    tests/outcome_data.py), attached to a review with its own secretary."""
    dakar = build_outcome_consultation(session, make_user, make_consultation, register,
                                       slug="dakar")
    abuja = build_outcome_consultation(session, make_user, make_consultation, register,
                                       slug="abuja")
    secretary = make_user(email="review-secretary@example.org", name="Review Secretary",
                          organisation="IOM")
    review = make_review(session, dakar.consultation, abuja.consultation,
                         secretariat=[secretary], **options)
    return ReviewWorld(review, dakar, abuja, secretary)
