"""The portal's CSS, JavaScript and images: served under names that change with their content,
compressed, and kept by browsers for a year.

``url_for('static', filename='css/portal.css')`` gives ``/static/css/portal.<hash>.css``, the
hash being the first 12 hex digits of the file's SHA-256. That URL's content never changes, so
it is sent with ``Cache-Control: public, max-age=31536000, immutable``: a browser that has it
does not ask again, and a changed file gets a new URL in every page. The plain URL
(``/static/css/portal.css``) and the URL of a previous version are still answered, with the
current content, but revalidated on every use (``no-cache`` and an ETag).

Each file is read and hashed once, on first use, and again whenever its size or modification
time changes. Text files are sent compressed when the browser accepts it: brotli or gzip, as
built by ``scripts/build-assets.mjs`` (``make setup``) into ``portal/static-build`` under the
same hashed names. A compressed copy is used only when its name carries the file's current hash
and it decodes to the file (gzip always; brotli when the ``brotli`` package is installed);
without a built gzip copy the portal compresses the file itself, once.

The view sets its own ``Cache-Control``: the hooks that run after it must leave a response that
has one alone (docs/deployment.md).
"""

import gzip
import hashlib
import mimetypes
import os
import posixpath
import re
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, Response, abort, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import safe_join

from portal.websockets import is_socket_path

#: Sent with a hashed URL whose content is the file's current one.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Sent with any other URL of a static file: kept, but asked again before each use.
REVALIDATE = "public, no-cache"
#: Where a live connection's request keeps the session read from its cookie.
CONNECTION_SESSION = "portal.connection_session"

#: The hash in a file's name: 12 hex digits before its last extension.
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<extension>\.[^./]+)?$")

#: Content types by extension, not left to the machine's /etc/mime.types.
CONTENT_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".map": "application/json",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
    ".html": "text/html",
    ".xml": "application/xml",
    ".png": "image/png",
    ".ico": "image/vnd.microsoft.icon",
    ".woff2": "font/woff2",
}
#: Files worth compressing (the others are compressed already, or too rare to matter).
COMPRESSIBLE = {".css", ".js", ".mjs", ".map", ".json", ".svg", ".txt", ".html", ".xml"}

#: Encodings in the order the portal prefers them, when the browser accepts several.
ENCODINGS = ("br", "gzip")


def hashed_name(filename: str, digest: str) -> str:
    """``css/portal.css`` -> ``css/portal.<digest>.css`` (as scripts/build-assets.mjs)."""
    folder, slash, name = filename.rpartition("/")
    stem, dot, extension = name.rpartition(".")
    hashed = f"{stem}.{digest}.{extension}" if dot and stem else f"{name}.{digest}"
    return f"{folder}{slash}{hashed}"


def _brotli_decompress():
    try:
        import brotli
    except ImportError:
        return None
    return brotli.decompress


@dataclass
class StaticFile:
    name: str
    digest: str
    content_type: str
    #: The file's bytes in each encoding it can be sent in ("identity", "gzip", "br").
    encodings: dict[str, bytes] = field(default_factory=dict)
    #: Size and modification time when read: another means the file changed.
    signature: tuple[int, int] = (0, 0)

    @property
    def hashed(self) -> str:
        return hashed_name(self.name, self.digest)


class StaticFiles:
    """The files under ``folder``, with their compressed copies built into ``built``."""

    def __init__(self, folder: Path, built: Path):
        self.folder, self.built = Path(folder), Path(built)
        self._files: dict[str, StaticFile] = {}
        self._lock = threading.Lock()
        self._brotli_decompress = _brotli_decompress()

    def get(self, name: str) -> StaticFile | None:
        """The file at ``name`` (a path under the folder), read again if it changed."""
        path = safe_join(str(self.folder), name)
        if path is None:
            return None
        # One entry per file, however the URL spells its path (css/./portal.css).
        name = posixpath.normpath(name)
        try:
            status = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        signature = (status.st_size, status.st_mtime_ns)
        known = self._files.get(name)
        if known is not None and known.signature == signature:
            return known
        with self._lock:
            known = self._files.get(name)
            if known is None or known.signature != signature:
                known = self._files[name] = self._read(name, Path(path), signature)
        return known

    def url_name(self, name: str) -> str:
        """The name ``url_for`` writes: the hashed one, or ``name`` itself if no such file."""
        found = self.get(name)
        return found.hashed if found is not None else name

    def resolve(self, requested: str) -> tuple[StaticFile, bool] | None:
        """The file a URL asks for, and whether that URL is its current hashed one."""
        found = self.get(requested)
        if found is not None:
            return found, False
        match = _HASHED.match(requested.rpartition("/")[2])
        if match is None:
            return None
        folder = requested.rpartition("/")[0]
        name = match["stem"] + (match["extension"] or "")
        found = self.get(f"{folder}/{name}" if folder else name)
        if found is None:
            return None
        return found, found.digest == match["digest"]

    def _read(self, name: str, path: Path, signature: tuple[int, int]) -> StaticFile:
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()[:12]
        extension = path.suffix.lower()
        content_type = (CONTENT_TYPES.get(extension)
                        or mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        found = StaticFile(name, digest, content_type, {"identity": content}, signature)
        if extension in COMPRESSIBLE:
            found.encodings.update(self._compressed(found, content))
        return found

    def _compressed(self, found: StaticFile, content: bytes) -> dict[str, bytes]:
        built = self.built / found.hashed
        copies = {}
        gzipped = _built_copy(built.with_name(built.name + ".gz"), content, gzip.decompress)
        copies["gzip"] = gzipped or gzip.compress(content, compresslevel=9, mtime=0)
        brotli = _built_copy(built.with_name(built.name + ".br"), content,
                             self._brotli_decompress)
        if brotli is not None:
            copies["br"] = brotli
        # A copy no smaller than the file itself is not worth a Content-Encoding.
        return {encoding: data for encoding, data in copies.items() if len(data) < len(content)}


def _built_copy(path: Path, content: bytes, decompress) -> bytes | None:
    """A compressed copy from the build, if there is one and (when it can be checked) it
    decodes to ``content``."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if decompress is not None:
        try:
            if decompress(data) != content:
                return None
        except Exception:  # gzip's and brotli's errors: a broken copy
            return None
    return data


def _encoding_for(found: StaticFile) -> str:
    accepted = request.accept_encodings
    for encoding in ENCODINGS:
        if encoding in found.encodings and accepted[encoding] > 0:
            return encoding
    return "identity"


def static_response(files: StaticFiles, filename: str) -> Response:
    resolved = files.resolve(filename)
    if resolved is None:
        abort(404)
    found, immutable = resolved
    encoding = _encoding_for(found)
    response = Response(found.encodings[encoding], mimetype=found.content_type)
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    if len(found.encodings) > 1:
        response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
    response.set_etag(f"{found.digest}-{encoding}")
    return response.make_conditional(request)


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, left out of static files' responses: Flask-Login reads
    the session after every request, which would add ``Vary: Cookie``, and a browser then
    asks again for a file it has whenever the session cookie has changed since.

    A live connection's events all run in contexts made from its first request: its session
    is read from the cookie (and its signature checked) once, not for every event."""

    def open_session(self, app, request):
        if not is_socket_path(request.path):
            return super().open_session(app, request)
        if CONNECTION_SESSION not in request.environ:
            request.environ[CONNECTION_SESSION] = super().open_session(app, request)
        return request.environ[CONNECTION_SESSION]

    def save_session(self, app, session, response) -> None:
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)


def register_static_files(app: Flask) -> None:
    """Serve ``/static/<filename>`` (endpoint ``static``) and make ``url_for('static', ...)``
    write hashed names."""
    files = StaticFiles(Path(app.config["STATIC_FOLDER"]), Path(app.config["STATIC_BUILD_FOLDER"]))
    app.extensions["static_files"] = files
    app.session_interface = PageSessionInterface()
    app.add_url_rule("/static/<path:filename>", endpoint="static",
                     view_func=lambda filename: static_response(files, filename))

    @app.url_defaults
    def _hashed_static_names(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = files.url_name(values["filename"])
