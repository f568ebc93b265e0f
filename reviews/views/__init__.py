"""The reviews area's pages and its JSON API: one blueprint, its handlers grouped by what
they serve."""

from flask import Blueprint

blueprint = Blueprint("reviews", __name__)

from reviews.views import (  # noqa: E402, F401  (they add their routes)
    attachments,
    follow_up_pages,
    review_api,
    review_pages,
    silence,
    synthesis,
    synthesis_files,
)
