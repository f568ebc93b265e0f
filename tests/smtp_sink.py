"""An SMTP server in a process of its own, to be killed: ``python -m tests.smtp_sink PORT
FOLDER [--die-at N]`` keeps each message it accepts as a file in FOLDER (written before it
answers 250), and with ``--die-at N`` kills itself with SIGKILL on receiving the Nth message,
before keeping or answering it, as a crashed mail server would."""

import argparse
import os
import signal
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder: Path, die_at: int | None):
        self.folder, self.die_at, self.count = folder, die_at, 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        self.count += 1
        if self.count == self.die_at:
            os.kill(os.getpid(), signal.SIGKILL)
        path = self.folder / f"{os.getpid()}-{self.count:05d}.eml"
        path.with_suffix(".part").write_bytes(envelope.original_content)
        path.with_suffix(".part").rename(path)
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--die-at", type=int)
    args = parser.parse_args()
    controller = Controller(Sink(args.folder, args.die_at), hostname="127.0.0.1",
                            port=args.port)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
