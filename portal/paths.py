"""Where the portal finds the files it reads at run time besides its code.

In a clone: templates/ and translations/ beside the packages. Installed from the wheel: the
copies the build put in portal/bundled/ (setup.py), with the catalogs compiled.
"""

from pathlib import Path

#: The clone's folder (in an installed portal: the site-packages folder).
ROOT = Path(__file__).resolve().parent.parent
_BUNDLED = Path(__file__).resolve().parent / "bundled"


def _shipped(name: str) -> Path:
    bundled = _BUNDLED / name
    return bundled if bundled.is_dir() else ROOT / name


TEMPLATES = _shipped("templates")
TRANSLATIONS = _shipped("translations")
