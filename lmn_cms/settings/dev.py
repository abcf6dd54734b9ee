"""Development settings: `make run` on a laptop, SQLite unless DATABASE_URL is set."""

import os

from .base import *  # noqa: F403
from .base import env_list

DEBUG = True

# A fixed key is fine here: dev data is demo content on the developer's machine.
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-not-for-production")  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
