"""The reviews area's pages and its JSON API: one blueprint, its handlers grouped by what
they serve."""

from flask import Blueprint

blueprint = Blueprint("reviews", __name__)

from reviews.views import silence, synthesis, synthesis_files  # noqa: E402, F401
