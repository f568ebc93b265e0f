"""The outcome document as PDF, made by LibreOffice from the Word file.

``pdf_of(docx)`` runs LibreOffice headless in a process of its own, with a user profile of its
own (so that it never waits for, nor disturbs, a LibreOffice running elsewhere) and a time
limit, and returns a tagged PDF (PDF/UA) that screen readers can read. Waiting for the process
does not hold up a server's other requests: gevent's patched ``subprocess`` waits
cooperatively, and in threading mode only the request's own thread waits.

LibreOffice takes the entries of a Word table of contents as they are written, without their
page numbers, but it computes a PAGEREF field wherever else it stands. So the copy it lays out
has the table of contents' field markers taken away (``for_layout``): the same entries, the
same page references, and their page numbers filled in.
"""

# Runs LibreOffice only, with this module's own arguments (bandit B404, B603).
import contextlib
import io
import json
import os
import shutil
import signal
import subprocess  # nosec B404
import tempfile
import zipfile
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from lxml import etree

from recommendations.outcome.word import TOC_INSTRUCTION

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

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
    with tempfile.TemporaryDirectory(prefix="outcome-pdf-") as folder:
        work = Path(folder)
        source = work / "outcome.docx"
        source.write_bytes(for_layout(docx))
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
        result = work / "outcome.pdf"
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


def for_layout(docx: bytes) -> bytes:
    """``docx`` with the field markers of its table of contents taken away, its entries and
    their PAGEREF fields kept: LibreOffice then fills in their page numbers."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "word/document.xml":
                content = _without_toc_field(content)
            target.writestr(entry, content)
    return buffer.getvalue()


def _without_toc_field(document: bytes) -> bytes:
    # The document is the portal's own, just written by word.build_docx: no entity to
    # resolve, nothing fetched.
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(document, parser)
    marks = list(root.iter(f"{W}fldChar", f"{W}instrText"))
    codes = [(element.text or "").strip() if element.tag == f"{W}instrText" else ""
             for element in marks]
    if TOC_INSTRUCTION not in codes:
        return document
    position = codes.index(TOC_INSTRUCTION)
    begin, separate = marks[position - 1], marks[position + 1]
    depth, end = 1, None
    for element in marks[position + 2:]:
        kind = element.get(f"{W}fldCharType")
        depth += {"begin": 1, "end": -1}.get(kind, 0)
        if depth == 0:
            end = element
            break
    if end is None:
        return document
    for element in (begin, marks[position], separate, end):
        run = element.getparent()
        run.getparent().remove(run)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
