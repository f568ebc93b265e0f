"""The consultations area's pages: one blueprint, its handlers grouped by what they serve."""

from flask import Blueprint

blueprint = Blueprint("consultations", __name__)

from consultations.views import (  # noqa: E402, F401  (they add their routes)
    breakouts,
    calendar,
    check_in_desk,
    discussion,
    public,
    registration,
    setup,
)
