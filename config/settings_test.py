"""Settings for the test suite: the normal settings with LYCEUM_TESTING on."""

import os

os.environ["LYCEUM_TESTING"] = "1"

from config.settings import *  # noqa: E402, F403
