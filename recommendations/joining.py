"""Joining the vote from a phone in the room: the projector shows a QR code of the
consultation's short vote address, drawn on the server as inline SVG (nothing is loaded from
another site, and no script draws it)."""

import segno
from markupsafe import Markup, escape


def qr_code_svg(address: str, label: str) -> Markup:
    """An SVG image of the QR code that opens ``address``, named ``label`` for screen
    readers. Black on white with the quiet zone the standard asks for (4 modules), so phone
    cameras read it whatever the page's colours; sized by CSS."""
    code = segno.make(address, error="m", micro=False)
    svg = code.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr-code", title=label,
                          dark="#000", light="#fff")
    # segno's own markup; the label is escaped (segno escapes the title it writes).
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(svg)  # noqa: S704  # nosec B704
