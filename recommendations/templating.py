"""What every template can use from the recommendations area: the vote open now for the
signed-in person (registered by the app factory beside portal/templating.py's)."""

from flask import Flask
from flask_login import current_user

from portal import permissions
from recommendations import voting


def open_vote_for_voter(consultation):
    """The round open now in the consultation, when the signed-in person may vote in it."""
    if consultation is None or not permissions.may_vote(current_user, consultation):
        return None
    return voting.open_round_of(consultation.id)


def register_template_globals(app: Flask) -> None:
    app.context_processor(lambda: {"open_vote_for_voter": open_vote_for_voter})
