"""PDF made by LibreOffice from a Word file: the outcome documents, the badges and the
attendance list.

``pdf_of(docx)`` runs LibreOffice headless in a process of its own, with a user profile of its
own (so that it never waits for, nor disturbs, a LibreOffice running elsewhere) and a time
limit, and returns a tagged PDF (PDF/UA) that screen readers can read. Waiting for the process
does not hold up a server's other requests: gevent's patched ``subprocess`` waits
cooperatively, and in threading mode only the request's own thread waits.
"""

# Runs LibreOffice only, with this module's own arguments (bandit B404, B603).
import contextlib
import json
import os
import shutil
import signal
import subprocess  # nosec B404
import tempfile
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

#: writer_pdf_Export's options: a tagged PDF that claims PDF/UA, with the headings as its
#: outline.
EXPORT_OPTIONS = {
    "PDFUACompliance": {"type": "boolean", "value": "true"},
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
}


class PdfUnavailable(Exception):
    """No PDF can be made; ``reason`` says why, in the user's language."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def libreoffice() -> str | None:
    """The LibreOffice program the portal runs, or None when it has none."""
    configured = current_app.config.get("LIBREOFFICE") or ""
    return shutil.which(configured) if configured else None


def available() -> bool:
    return libreoffice() is not None


def pdf_of(docx: bytes, *, timeout: float | None = None) -> bytes:
    """The PDF of the Word file ``docx``, laid out by LibreOffice."""
    program = libreoffice()
    if program is None:
        raise PdfUnavailable(_("LibreOffice is not installed on the server: no PDF can be "
                               "made. The Word document has everything the PDF would."))
    timeout = timeout or current_app.config.get("OUTCOME_PDF_TIMEOUT", 120)
    with tempfile.TemporaryDirectory(prefix="pdf-") as folder:
        work = Path(folder)
        source = work / "document.docx"
        source.write_bytes(docx)
        command = [
            program, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
            "--norestore", "--nologo", "--nodefault", "--nolockcheck",
            "--convert-to", f"pdf:writer_pdf_Export:{json.dumps(EXPORT_OPTIONS)}",
            "--outdir", str(work), str(source),
        ]
        # A session of its own, so that the whole of LibreOffice (its launcher starts the
        # program proper) is ended if it takes too long.
        process = subprocess.Popen(  # noqa: S603  # nosec B603
            command, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True,
            env={**os.environ, "HOME": str(work)})
        try:
            _output, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _end(process)
            raise PdfUnavailable(_("LibreOffice took more than %(seconds)d seconds to make "
                                   "the PDF: try again later.", seconds=timeout)) from None
        result = work / "document.pdf"
        # LibreOffice can exit with 0 without writing anything: the file is the proof.
        if not result.exists() or not result.read_bytes().startswith(b"%PDF"):
            current_app.logger.warning("LibreOffice made no PDF (exit %s): %s",
                                       process.returncode, errors.decode(errors="replace"))
            raise PdfUnavailable(_("LibreOffice could not make the PDF."))
        return result.read_bytes()


def _end(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
