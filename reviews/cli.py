"""The reviews area's commands: ``flask --app wsgi reviews ...``."""

from contextlib import contextmanager
from urllib.parse import urlsplit

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup

reviews_commands = AppGroup("reviews", help="Reviews: their synthesis, silence procedures "
                                            "and commitments.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(reviews_commands)


BASE_URL = click.option(
    "--base-url", default=None,
    help="The portal's public address for the links in the e-mails (by default https:// and "
         "SERVER_NAME).")


@contextmanager
def links_at(base_url: str | None):
    """A request context whose links (``url_for``) start at the portal's public address: the
    e-mails a command writes are read outside the portal. ``--base-url`` wins over
    SERVER_NAME for the command's run."""
    server = current_app.config.get("SERVER_NAME")
    if base_url is None and not server:
        raise click.UsageError("Give --base-url (or set SERVER_NAME) for the links.")
    address = (base_url or f"https://{server}").rstrip("/")
    parts = urlsplit(address)
    kept = {name: current_app.config.get(name) for name in ("SERVER_NAME", "PREFERRED_URL_SCHEME")}
    current_app.config.update(SERVER_NAME=parts.netloc, PREFERRED_URL_SCHEME=parts.scheme)
    try:
        with current_app.test_request_context(base_url=address):
            yield address
    finally:
        current_app.config.update(kept)


# Follow-up of commitments ---------------------------------------------------------------------

@reviews_commands.command("send-progress-reminders")
@BASE_URL
def send_progress_reminders_command(base_url: str | None) -> None:
    """E-mail, once per review, those whose commitments are neither done nor dropped, asking
    for a progress report before the date the review's team set. Safe to run from cron."""
    from datetime import date

    from portal.extensions import db
    from reviews.follow_up import reviews_due_a_reminder, send_progress_reminders

    with links_at(base_url):
        reviews = reviews_due_a_reminder(date.today())
        for review in reviews:
            count = send_progress_reminders(review, None, lambda item: url_for(
                "reviews.follow_up_page", review_slug=item.slug, _external=True))
            db.session.commit()
            click.echo(f"/reviews/{review.slug}: reminder written to {count} "
                       f"{'person' if count == 1 else 'people'}.")
    if not reviews:
        click.echo("No reminder to send.")


# Silence procedures -----------------------------------------------------------------------------

@reviews_commands.command("close-silence")
@BASE_URL
def close_silence(base_url: str | None) -> None:
    """Close every silence procedure whose deadline has passed and send the reminders due 48
    and 24 hours before a deadline (run it every few minutes: docs/review-synthesis.md)."""
    from portal.database import intending_to_write
    from portal.extensions import db
    from reviews import silence

    with links_at(base_url), intending_to_write():
        closed = silence.close_due_procedures()
        reminded = silence.send_due_reminders()
        db.session.commit()
    click.echo(f"{len(closed)} silence procedure(s) closed, {reminded} reminded.")
