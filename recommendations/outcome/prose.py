"""Texts people write, for the outcome document: the characters XML can carry, and the blocks
a text is made of (paragraphs, bulleted and numbered lists)."""

import re

from portal.plain_text import xml_safe

#: Unicode's first strong isolate and pop directional isolate.
FSI, PDI = "\u2068", "\u2069"

_BULLET = re.compile(r"^\s*[-*•]\s+")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+")


def blocks_of(text: str) -> list[dict]:
    """A written text as blocks: paragraphs (separated by a blank line, their single line
    breaks kept), and lists whose every line starts with "- " or with "1." / "1)"."""
    blocks = []
    for chunk in re.split(r"\n[ \t]*\n", xml_safe(text).strip()):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            blocks.append({"kind": "bullets", "items": [_BULLET.sub("", line) for line in lines]})
        elif len(lines) > 1 and all(_NUMBERED.match(line) for line in lines):
            blocks.append({"kind": "numbers",
                           "items": [_NUMBERED.sub("", line) for line in lines]})
        else:
            blocks.append({"kind": "paragraph", "lines": [line.strip() for line in lines]})
    return blocks


def isolated(text: str) -> str:
    """``text`` as a bidirectional isolate: whatever its direction, it does not reorder the
    sentence around it (an English name in an Arabic sentence keeps the sentence's brackets
    and quotation marks where they belong), nor does a stray direction mark in it reach out."""
    return f"{FSI}{text}{PDI}" if text else text
