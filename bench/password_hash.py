"""Benchmark: the cost of one password hash, argon2id with OWASP's parameters (the platform's,
accounts/hashers.py) against the PBKDF2 it replaced, in the same run.

Every sign-in checks one password, which costs what hashing it costs; at a deadline 200 officers
sign in within minutes on a 2-core server. Times are medians of --repeat runs (after a warm-up)
of `hasher.encode`, in one process; "sign-ins per second per core" is 1,000 / median.

Run: `uv run python bench/password_hash.py` (a throw-away SQLite database of its own, unused;
bench/_own_database.py). Writes the "password-hash" section of bench/RESULTS.md (--no-write:
prints only).
"""

import argparse
import datetime
import os
import platform
import statistics
import time

import _own_database
import _results

_own_database.script_only(__name__)

PARSER = argparse.ArgumentParser(description=__doc__.split("\n")[0])
PARSER.add_argument("--repeat", type=int, default=21, help="hashes per hasher")
PARSER.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
ARGS = PARSER.parse_args()
_own_database.create("password", sqlite=True)

import django  # noqa: E402

django.setup()
_own_database.guard()

from importlib.metadata import version  # noqa: E402

from django.contrib.auth.hashers import (  # noqa: E402
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    get_hasher,
)

PASSWORD = "Mật-khẩu-của-xã-2026"
LOAD_START = os.getloadavg()[0]


def median_ms(hasher) -> float:
    """Median milliseconds of hashing PASSWORD once with `hasher`, fresh salt each time."""
    hasher.encode(PASSWORD, hasher.salt())  # warm-up
    samples = []
    for _ in range(ARGS.repeat):
        salt = hasher.salt()
        start = time.perf_counter()
        hasher.encode(PASSWORD, salt)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    platform_hasher = get_hasher("default")
    rows = [
        (
            f"**argon2id, OWASP** (the platform: m = {platform_hasher.memory_cost // 1024} MiB, "
            f"t = {platform_hasher.time_cost}, p = {platform_hasher.parallelism})",
            median_ms(platform_hasher),
        ),
        (
            f"PBKDF2-SHA256, {PBKDF2PasswordHasher.iterations:,} iterations (Django's default, "
            "the platform's hasher before)",
            median_ms(PBKDF2PasswordHasher()),
        ),
        (
            f"argon2id, Django's own parameters (m = {Argon2PasswordHasher.memory_cost // 1024} "
            f"MiB, t = {Argon2PasswordHasher.time_cost}, p = {Argon2PasswordHasher.parallelism})",
            median_ms(Argon2PasswordHasher()),
        ),
    ]
    ours = rows[0][1]
    lines = [
        "<!-- password-hash -->",
        "## Password hashing (one sign-in's password check)",
        "",
        f"Run of `bench/password_hash.py` on {datetime.date.today():%Y-%m-%d}: "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores shared with other "
        f"work (load average {LOAD_START:.1f} at the start, {os.getloadavg()[0]:.1f} at the end), "
        f"Python {platform.python_version()}, Django {django.get_version()}, argon2-cffi "
        f"{version('argon2-cffi')}. Median of {ARGS.repeat} hashes after a warm-up, one thread; a "
        "password check costs the same as a hash.",
        "",
        "| hasher | median (ms) | sign-ins per second per core | vs the platform's |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, ms in rows:
        lines.append(f"| {name} | {ms:.1f} | {1000 / ms:.0f} | {ms / ours:.1f}× |")
    lines += [
        "",
        "OWASP's Password Storage Cheat Sheet: argon2id with at least 19 MiB of memory, 2 "
        "iterations and 1 degree of parallelism. Existing PBKDF2 hashes are rehashed with "
        "argon2id at each user's next sign-in (docs/decisions.md).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not ARGS.no_write:
        _results.write_section("password-hash", text)


if __name__ == "__main__":
    main()
