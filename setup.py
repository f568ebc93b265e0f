"""The wheel carries what the portal reads at run time besides its code: the templates and
the interface's catalogs, compiled here at build. In a clone they are read from templates/
and translations/ (portal/paths.py); an installed portal reads them from portal/bundled/."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithTemplatesAndCatalogs(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            # An editable install reads them from the clone itself.
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        bundled = Path(self.build_lib) / "portal" / "bundled"
        shutil.rmtree(bundled, ignore_errors=True)
        shutil.copytree(HERE / "templates", bundled / "templates")
        for source in sorted((HERE / "translations").glob("*/LC_MESSAGES/messages.po")):
            target = bundled / "translations" / source.relative_to(HERE / "translations")
            target = target.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with source.open("rb") as po_file:
                catalog = read_po(po_file, locale=source.parent.parent.name)
            with target.open("wb") as mo_file:
                write_mo(mo_file, catalog)


setup(cmdclass={"build_py": BuildWithTemplatesAndCatalogs})
