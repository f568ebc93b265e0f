"""The reviews area's commands: ``flask --app wsgi reviews ...``."""

import click
from flask import Flask
from flask.cli import AppGroup

reviews_commands = AppGroup("reviews", help="Reviews: their synthesis, silence procedures "
                                            "and commitments.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(reviews_commands)


@reviews_commands.command("close-silence")
def close_silence() -> None:
    """Close every silence procedure whose deadline has passed and send the reminders due 48
    and 24 hours before a deadline (run it every few minutes: docs/review-synthesis.md)."""
    from portal.database import intending_to_write
    from portal.extensions import db
    from reviews import silence

    with intending_to_write():
        closed = silence.close_due_procedures()
        reminded = silence.send_due_reminders()
        db.session.commit()
    click.echo(f"{len(closed)} silence procedure(s) closed, {reminded} reminded.")
