"""One today for the whole platform: Vietnam's date, computed in one place."""

import datetime
import re
from pathlib import Path

import time_machine
from django.conf import settings

from binhdang.core import dates

PACKAGE = Path(dates.__file__).resolve().parent.parent
# Ways of asking for today that do not go through `core.dates.today` (the server's zone, or the
# active zone that a request may have switched).
FORBIDDEN = re.compile(
    r"\bdate\.today\(\)|\blocaldate\(\s*\)|\bnow\(\)\.date\(\)|^\s*def today\(", re.MULTILINE
)


def test_the_helper_uses_the_platforms_time_zone():
    assert settings.TIME_ZONE == dates.VIETNAM.key == "Asia/Ho_Chi_Minh"


def test_at_half_past_eleven_utc_it_is_already_tomorrow_in_vietnam():
    with time_machine.travel(datetime.datetime(2024, 9, 30, 23, 30, tzinfo=datetime.UTC)):
        assert dates.today() == datetime.date(2024, 10, 1)
    with time_machine.travel(datetime.datetime(2024, 9, 30, 16, 59, tzinfo=datetime.UTC)):
        assert dates.today() == datetime.date(2024, 9, 30)
    with time_machine.travel(datetime.datetime(2024, 9, 30, 17, 0, tzinfo=datetime.UTC)):
        assert dates.today() == datetime.date(2024, 10, 1)


def test_no_other_code_computes_today():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if (
            "tests" in relative.parts
            or "migrations" in relative.parts
            or path == Path(dates.__file__)
        ):
            continue
        text = path.read_text(encoding="utf-8")
        for match in FORBIDDEN.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{relative}:{line}: {match.group().strip()}")
    assert found == [], "use binhdang.core.dates.today():\n" + "\n".join(found)
