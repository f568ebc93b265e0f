"""Pages of outcome documents."""

from flask import Blueprint

from recommendations.outcome import models  # noqa: F401

blueprint = Blueprint("outcome", __name__)
