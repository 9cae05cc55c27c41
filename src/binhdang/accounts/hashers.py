"""Password hashing: argon2id with the parameters of OWASP's Password Storage Cheat Sheet.

OWASP (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html, "Use
Argon2id with a minimum configuration of 19 MiB of memory, an iteration count of 2, and 1 degree
of parallelism") gives equally strong settings trading memory for iterations; this is its first.
Django's own Argon2PasswordHasher uses 100 MiB and 8 lanes: on a 2-core server 200 sign-ins at a
deadline would each want 100 MiB at once and queue behind one another's lanes. One lane of
19 MiB costs a few tens of milliseconds of one core (bench/password_hash.py), where PBKDF2 at
Django's 1,500,000 iterations costs 0.3–1 s (issue 16), and memory-hard: guessing on GPUs is dearer.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2idPasswordHasher(Argon2PasswordHasher):
    """argon2id, m = 19 MiB, t = 2, p = 1 (OWASP). Hashes made with other parameters, Django's
    PBKDF2 ones included, are rehashed with these at the user's next sign-in."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
