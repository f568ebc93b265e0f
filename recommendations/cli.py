"""The recommendations area's commands: ``flask --app wsgi outcome-document`` and
``check-integrity``."""

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.extensions import db


def register_commands(app: Flask) -> None:
    app.cli.add_command(outcome_document_command)
    app.cli.add_command(check_integrity_command)


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
