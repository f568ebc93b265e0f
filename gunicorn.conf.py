"""gunicorn reads this file from the folder it starts in: the portal's settings
(portal/gunicorn_config.py)."""

from portal.gunicorn_config import *  # noqa: F403
