"""Today's date as officers in Vietnam see it, whatever the server's own time zone."""

import datetime
import zoneinfo

from django.utils import timezone

# The platform's one time zone (settings.TIME_ZONE says the same; a test checks they agree).
VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> datetime.date:
    """Today's date in Vietnam (Asia/Ho_Chi_Minh): at 23:30 UTC it is already tomorrow there."""
    return timezone.now().astimezone(VIETNAM).date()
