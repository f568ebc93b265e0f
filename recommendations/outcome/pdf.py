"""The outcome document as PDF, made by LibreOffice from the Word file (portal/pdf.py).

LibreOffice takes the entries of a Word table of contents as they are written, without their
page numbers, but it computes a PAGEREF field wherever else it stands. So the copy it lays out
has the table of contents' field markers taken away (``for_layout``): the same entries, the
same page references, and their page numbers filled in.
"""

import io
import zipfile

from lxml import etree

from portal import pdf as portal_pdf
from portal.pdf import PdfUnavailable, available, libreoffice  # noqa: F401  (the outcome's too)
from recommendations.outcome.docx_writing import TOC_INSTRUCTION

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def pdf_of(docx: bytes, *, timeout: float | None = None) -> bytes:
    """The PDF of the outcome document ``docx``, its table of contents with page numbers."""
    return portal_pdf.pdf_of(for_layout(docx), timeout=timeout)


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
