"""The consultations area's command: ``flask --app wsgi anonymise-expired``."""

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.extensions import db


def register_commands(app: Flask) -> None:
    app.cli.add_command(anonymise_expired_command)


@click.command("anonymise-expired")
@with_appcontext
def anonymise_expired_command() -> None:
    """Anonymise the personal data of the participants of every consultation whose retention
    date has passed. Safe to run from cron: each consultation is done once, in its own
    transaction, and a second run at the same time waits, then finds it done."""
    from consultations.models import Consultation
    from consultations.retention import anonymise_consultation, expired_consultations
    from portal.database import intending_to_write

    due = [(consultation.id, consultation.slug) for consultation in expired_consultations()]
    db.session.rollback()
    done = 0
    for consultation_id, slug in due:
        with intending_to_write():
            consultation = db.session.get(Consultation, consultation_id)
            result = anonymise_consultation(consultation) if consultation else None
            if result is None:
                db.session.rollback()
                click.echo(f"/c/{slug}: anonymised already by another run.")
                continue
            db.session.commit()
        done += 1
        click.echo(f"/c/{slug}: personal data of {result.registrations} registrations "
                   "anonymised.")
    click.echo(f"{done} consultation{'' if done == 1 else 's'} anonymised."
               if done else "Nothing to anonymise.")
