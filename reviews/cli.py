"""The reviews area's commands: ``flask --app wsgi reviews ...``."""

from flask import Flask
from flask.cli import AppGroup

reviews_commands = AppGroup("reviews", help="Reviews: their synthesis, silence procedures "
                                            "and commitments.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(reviews_commands)
