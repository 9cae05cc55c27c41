"""Settings for the test suite: the real settings, with test-only defaults for secrets."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DATA_DIR", os.path.join(os.environ.get("TMPDIR", "/tmp"), "binhdang-test"))

from binhdang.settings import *  # noqa: E402,F403

# Fast hashing: the suite creates many users; production keeps Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# pytest-django's live server runs the ORM in a thread that Playwright's event loop shares.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# No persistent connections: the live server's thread would keep the test database open.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Uploaded files of a test run go to a directory of their own.
MEDIA_ROOT = tempfile.mkdtemp(prefix="binhdang-test-media-")
