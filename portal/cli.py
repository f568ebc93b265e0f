"""Flask CLI commands: ``flask --app wsgi seed-demo``, ``create-admin``,
``outcome-document``, ``anonymise-expired``, ``backup``, ``check-integrity`` and
``send-mail``."""

import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade

from portal.extensions import db


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(outcome_document_command)
    app.cli.add_command(anonymise_expired_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(check_integrity_command)
    app.cli.add_command(send_mail_command)


@click.command("send-mail")
@with_appcontext
@click.option("--once", is_flag=True,
              help="Send what is due now, then stop (by default: keep watching the outbox).")
def send_mail_command(once: bool) -> None:
    """Send the outbox's e-mails (run one beside the portal's processes)."""
    import signal
    import threading

    from portal.logs import configure_logging
    from portal.mail.sending import run_worker, send_due_mail

    configure_logging()
    stop = threading.Event()
    if once:
        done = send_due_mail()
        click.echo(f"Sent {done.sent}, to try again {done.retrying}, given up {done.failed}.")
        return
    # systemd and make stop it with SIGTERM: the message being sent is finished and recorded.
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    run_worker(stop)


@click.command("seed-demo")
@with_appcontext
@click.option(
    "--participants", "generated", type=click.IntRange(min=0), default=0,
    help="Also have this many generated participants registered and approved (for benchmarks).",
)
def seed_demo_command(generated: int) -> None:
    """Bring the schema up to date and add the demo consultation and its people."""
    from portal.demo import DEMO_PASSWORD, seed_demo

    started = time.perf_counter()
    upgrade()
    report = seed_demo(generated)
    db.session.commit()
    elapsed = time.perf_counter() - started

    click.echo(f"Demo consultation: /c/{report.consultation.slug}")
    click.echo(f"Every demo account signs in with the password: {DEMO_PASSWORD}")
    click.echo(f"  {'platform admin':<14} {report.admin_email}")
    by_role: dict[str, list[str]] = {}
    for person in report.people:
        by_role.setdefault(person.role.value, []).append(person.email)
    for role, emails in by_role.items():
        shown = emails if len(emails) <= 2 else [emails[0], "...", emails[-1]]
        click.echo(f"  {role:<14} {' '.join(shown)} ({len(emails)})" if len(emails) > 2
                   else f"  {role:<14} {' '.join(shown)}")
    if generated or report.generated_total:
        click.echo(
            f"Generated participants: {report.generated_total} "
            f"({report.generated_added} added now)"
        )
    click.echo(f"Done in {elapsed:.1f} s.")


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--country", prompt="Country (ISO 3166 alpha-2, e.g. SN)")
@click.password_option()
def create_admin_command(email: str, name: str, country: str, password: str) -> None:
    """Create a platform admin, or make an existing account one."""
    from portal.accounts.models import StakeholderGroup
    from portal.accounts.operations import AccountExists, create_account, find_account
    from portal.audit.operations import record_event
    from portal.countries import is_country_code

    country = country.strip().upper()
    if not is_country_code(country):
        raise click.BadParameter(
            f"{country!r} is not an ISO 3166 alpha-2 code", param_hint="country"
        )
    user = find_account(email)
    if user is None:
        try:
            user = create_account(
                email=email, password=password, name=name, organisation="Red Talks portal",
                stakeholder_group=StakeholderGroup.other, country=country,
            )
        except AccountExists:
            raise click.ClickException(f"An account with {email} exists already.") from None
    user.is_admin = True
    record_event("account.admin_granted", target=user, by="create-admin")
    db.session.commit()
    click.echo(f"{user.email} is a platform admin.")


@click.command("outcome-document")
@with_appcontext
@click.argument("slug")
@click.option("--locale", help="Language of the document (en, fr, es, ar, pt); by default the "
                               "consultation's main language.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="The file to write: a PDF (made by LibreOffice) when its name ends in "
                   ".pdf, the Word document otherwise; - writes the Word document to "
                   "standard output.")
@click.option("--final", "final_version", is_flag=True,
              help="Write the final version in that language instead of compiling a new one.")
def outcome_document_command(slug: str, locale: str | None, output: str,
                             final_version: bool) -> None:
    """Compile the outcome document of the consultation SLUG and write it to a .docx file, or
    to a .pdf file.

    Every compilation is kept as a numbered version, as when compiled on the portal, and so is
    its PDF once made.
    """
    from sqlalchemy import select

    from consultations.models import Consultation
    from portal.config import LOCALES
    from recommendations.drafting import main_language
    from recommendations.outcome import operations, pdf
    from recommendations.outcome.models import OutcomeDocument

    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(f"No consultation at /c/{slug}.")
    locale = locale or main_language(consultation)
    if locale not in LOCALES:
        raise click.BadParameter(f"{locale!r} is not one of {', '.join(LOCALES)}",
                                 param_hint="--locale")
    if final_version:
        document = operations.final_document(consultation, locale)
        if document is None:
            raise click.ClickException(f"No final version in {locale} yet.")
        document = db.session.get(OutcomeDocument, document.id)
    else:
        try:
            document = operations.compile_outcome(consultation, locale, actor=None)
        except operations.OutcomeRefused as refusal:
            raise click.ClickException(refusal.reason) from None
        db.session.commit()
    if output.lower().endswith(".pdf"):
        try:
            operations.make_pdf(document, actor=None)
        except pdf.PdfUnavailable as unavailable:
            raise click.ClickException(unavailable.reason) from None
        db.session.commit()
        content, size, sha256 = document.pdf, document.pdf_size, document.pdf_sha256
    else:
        content, size, sha256 = document.content, document.size, document.sha256
    with click.open_file(output, "wb") as target:
        target.write(content)
    click.echo(f"Version {document.number} in {locale}{' (final)' if document.final else ''}: "
               f"{size} bytes, sha256 {sha256}, {document.missing_count} items missing.",
               err=True)


@click.command("anonymise-expired")
@with_appcontext
def anonymise_expired_command() -> None:
    """Anonymise the personal data of the participants of every consultation whose retention
    date has passed. Safe to run from cron: each consultation is done once, in its own
    transaction, and a second run at the same time waits, then finds it done."""
    from consultations.models import Consultation
    from portal.accounts.anonymisation import anonymise_consultation, expired_consultations
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


@click.command("backup")
@with_appcontext
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """Copy the SQLite database to TARGET while the portal serves (PostgreSQL: pg_dump)."""
    from flask import current_app

    from portal.backups import BackupRefused, back_up_sqlite

    started = time.perf_counter()
    try:
        size = back_up_sqlite(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    except BackupRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Backed up to {target} ({size / 1e6:.1f} MB) in "
               f"{time.perf_counter() - started:.1f} s.")


@click.command("check-integrity")
@with_appcontext
def check_integrity_command() -> None:
    """Check that the votes and the results recorded from them agree and that the rows hold
    together; exits with 1 on any problem."""
    from recommendations.integrity import check_integrity

    problems = check_integrity()
    db.session.rollback()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.exceptions.Exit(1)
    click.echo("The database passed the integrity check.")
