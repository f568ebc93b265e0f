"""What a text typed into the portal may hold, whether it comes by form or by socket.

Line breaks are stored as ``\\n``. Other control characters (NUL, escape, backspace...) and
lone surrogates have no place in a text people read: PostgreSQL cannot store NUL, and they
break exports and documents. Right-to-left marks and other format characters are kept:
Arabic texts need them.

Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) are taken out
as the text arrives. They are invisible, and one left open turns the text after it around: a
comment holding U+202E shows "evil" as "live", and can reorder what follows it on the page.
They also come in innocently with pasted text (a messaging app wraps the phone numbers it
copies in them), so they are removed rather than refused: nobody could find them to delete
them. Without them the text reads in the order it was typed, and pages show each text in its
own direction (``dir="auto"``, ``<bdi>``). The marks U+200E, U+200F and U+061C are kept: they
only settle the direction of the punctuation next to them and reorder nothing.
"""

import re

#: Control characters (Unicode category Cc) but newline and tab, and lone surrogates (Cs).
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

#: Bidirectional embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def one_line_ending(value):
    """``\\r\\n`` and lone ``\\r`` line breaks as ``\\n``; anything but a string unchanged."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def has_control_characters(text: str) -> bool:
    return _NOT_TEXT.search(text) is not None


def without_bidi_controls(value):
    """``value`` without bidirectional embeddings, overrides and isolates; anything but a
    string unchanged (HTML stays HTML: taking these characters out makes no tag)."""
    if isinstance(value, str):
        return value.translate(_BIDI_CONTROLS)
    return value


#: Characters XML 1.0 cannot carry (most control characters, lone surrogates, U+FFFE and
#: U+FFFF): a document holding one does not open.
_NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text) -> str:
    """``text`` without the characters XML 1.0 cannot carry, line breaks as "\\n": for the
    Word files the portal writes (outcome documents, badges)."""
    return _NOT_IN_XML.sub("", str(text or "")).replace("\r\n", "\n").replace("\r", "\n")
