"""The interface's gettext catalogs: extract the messages, update the catalogs, compile them.

``make translations`` runs all three (``python -m portal.catalogs``); ``make setup`` compiles
only (``python -m portal.catalogs compile``). English is the source language: the messages
are written in English, so there is no English catalog. The compiled ``.mo`` files are built,
never committed.
"""

# Runs pybabel only, with this module's own arguments (bandit B404, B603).
import subprocess  # nosec B404
import sys
from pathlib import Path

from portal.config import LOCALES

ROOT = Path(__file__).resolve().parent.parent
DIRECTORY = ROOT / "translations"
TEMPLATE = DIRECTORY / "messages.pot"
MAPPING = ROOT / "babel.cfg"

#: The catalogs kept in translations/: every interface language but the source language.
TRANSLATED = tuple(locale for locale in LOCALES if locale != "en")

#: Functions whose string arguments are messages, besides gettext's own (_, gettext,
#: ngettext, pgettext...).
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2", "lazy_pgettext:1c,2",
            "lazy_npgettext:1c,2,3")


HEADER = "# Messages of the Red Talks portal's interface. Extracted by `make translations`."


def _pybabel(*arguments: str) -> None:
    # From the project's folder, so that the catalogs name files by their relative paths.
    # The arguments are this module's own: no input from elsewhere reaches the command.
    subprocess.run(  # noqa: S603  # nosec B603
        [sys.executable, "-m", "babel.messages.frontend", "--quiet", *arguments],
        cwd=ROOT, check=True)


def catalog_path(locale: str, suffix: str = "po") -> Path:
    return DIRECTORY / locale / "LC_MESSAGES" / f"messages.{suffix}"


def extract(output: Path = TEMPLATE) -> Path:
    """Every message of the Python sources and the templates, into a .pot file."""
    keywords = [argument for keyword in KEYWORDS for argument in ("-k", keyword)]
    _pybabel("extract", "-F", str(MAPPING), *keywords, "--add-location=file",
             "--add-comments=Translators:", "--strip-comments", "--sort-by-file",
             "--project=Red Talks portal", f"--header-comment={HEADER}", "-o", str(output),
             ".")
    return output


def update() -> None:
    """Bring every catalog in line with a fresh extraction; new languages get a catalog."""
    extract()
    for locale in TRANSLATED:
        if catalog_path(locale).exists():
            _pybabel("update", "-i", str(TEMPLATE), "-d", str(DIRECTORY), "-l", locale,
                     "--ignore-obsolete", "--ignore-pot-creation-date")
        else:
            _pybabel("init", "-i", str(TEMPLATE), "-d", str(DIRECTORY), "-l", locale)


def compile_catalogs(only_stale: bool = False) -> list[str]:
    """Compile each catalog to its .mo file (only those older than their .po with
    ``only_stale``); returns the locales compiled. Fuzzy messages are left out."""
    compiled = []
    for locale in TRANSLATED:
        source, target = catalog_path(locale), catalog_path(locale, "mo")
        if not source.exists():
            continue
        if only_stale and target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        _pybabel("compile", "-d", str(DIRECTORY), "-l", locale)
        compiled.append(locale)
    return compiled


def main(arguments: list[str]) -> None:
    steps = arguments or ["update", "compile"]
    for step in steps:
        if step == "extract":
            extract()
        elif step == "update":
            update()
        elif step == "compile":
            compile_catalogs()
        else:
            raise SystemExit(f"unknown step {step!r}: extract, update or compile")


if __name__ == "__main__":
    main(sys.argv[1:])
