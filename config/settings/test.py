"""Test settings: base, with a fast password hasher. DATABASE_URL/REDIS_URL still apply.

Each pytest-xdist worker gets its own Redis database (gw0 → 1, gw1 → 2, …) so that clearing
the cache between tests never touches another worker's keys.
"""

import os
import re

from .base import *  # noqa: F403
from .base import CACHES, REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", "/tmp/wellness-test-media"))  # noqa: F405, S108 - test files only

if REDIS_URL:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    # TEST_REDIS_DB_BASE lets several checkouts run suites at once on one Redis.
    db_index = int(os.environ.get("TEST_REDIS_DB_BASE", "1")) + int(re.sub(r"\D", "", worker) or 0)
    base_url = re.sub(r"/\d+$", "", REDIS_URL.rstrip("/"))
    CACHES["default"]["LOCATION"] = f"{base_url}/{db_index}"
    CACHES["default"]["KEY_PREFIX"] = f"test-{worker}"

# WhiteNoise warns on every request when STATIC_ROOT does not exist yet (no collectstatic in tests).
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405

# Tests train the sentiment model on a small corpus they write themselves (ml/tests/sentiment_corpus.py);
# never on the shared corpora, which would take minutes.
SENTIMENT_DATA_DIR = Path("/nonexistent/sentiment-data")  # noqa: F405
SENTIMENT_MODEL_PATH = ""
