"""What a text typed into the portal may hold, whether it comes by form or by socket.

Line breaks are stored as ``\\n``. Other control characters (NUL, escape, backspace...) and
lone surrogates have no place in a text people read: PostgreSQL cannot store NUL, and they
break exports and documents. Right-to-left marks and other format characters are kept:
Arabic texts need them.
"""

import re

#: Control characters (Unicode category Cc) but newline and tab, and lone surrogates (Cs).
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def one_line_ending(value):
    """``\\r\\n`` and lone ``\\r`` line breaks as ``\\n``; anything but a string unchanged."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def has_control_characters(text: str) -> bool:
    return _NOT_TEXT.search(text) is not None
