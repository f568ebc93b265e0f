"""What a text typed into the portal may hold, whether it comes by form or by socket.

Line breaks are stored as ``\\n``. Other control characters (NUL, escape, backspace...) and
lone surrogates have no place in a text people read: PostgreSQL cannot store NUL, and they
break exports and documents. Right-to-left marks and other format characters are kept:
Arabic texts need them.
"""

import unicodedata

#: The control characters a text may hold, once its line breaks are normalised.
ALLOWED_CONTROLS = frozenset("\n\t")


def one_line_ending(value):
    """``\\r\\n`` and lone ``\\r`` line breaks as ``\\n``; anything but a string unchanged."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cs") and char not in ALLOWED_CONTROLS
               for char in text)
