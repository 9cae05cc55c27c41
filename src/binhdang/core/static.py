"""Static files collected at each start of the server, only when their sources changed.

`collectstatic` post-processes every file again even when none changed: with WhiteNoise's
compressed manifest storage that is hashing and compressing ~2,300 files (gzip and brotli), about
two minutes of CPU (9,367 files post-processed, 8 minutes on a loaded 2-core machine, measured
for issue 16's load benchmark), at every `binhdang serve`. The collected directory keeps a
fingerprint of the sources it was made from, and a start whose sources are the same skips it.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

STAMP = ".binhdang-collected"
# collectstatic's own default ignore patterns: the files it would not collect either.
IGNORED = ["CVS", ".*", "*~"]


def sources_fingerprint() -> str:
    """A digest of every file collectstatic would collect (path, size, modification time) and
    of the storage that post-processes them."""
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    seen = []
    for finder in finders.get_finders():
        for path, storage in finder.list(IGNORED):
            stat = Path(storage.path(path)).stat()
            seen.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for line in sorted(seen):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def collect_static() -> bool:
    """Collect the static files unless STATIC_ROOT already holds what the same sources gave;
    True when they were collected."""
    stamp = Path(settings.STATIC_ROOT) / STAMP
    fingerprint = sources_fingerprint()
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return False
    stamp.unlink(missing_ok=True)  # an interrupted collection must not look complete
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)
    return True
