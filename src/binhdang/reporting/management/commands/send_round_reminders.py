"""`binhdang manage send_round_reminders`: the daily reminders of reporting rounds (for cron).

Reminds the units whose reports are still with them in open rounds, the days before the deadline
set by ROUND_REMINDER_DAYS (default "3,1"), and late units the day after the deadline and then
every ROUND_LATE_REMINDER_EVERY_DAYS days (default 7). Each reminder is recorded, at most one a
day per report, so running the command twice the same day sends nothing more.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from binhdang.core import dates
from binhdang.reporting.services import send_due_reminders


class Command(BaseCommand):
    help = "Gửi e-mail nhắc hạn nộp báo cáo (chạy mỗi ngày một lần, chạy lại không gửi trùng)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Ngày chạy (dd/mm/yyyy), mặc định hôm nay; dùng để chạy bù."
        )

    def handle(self, *args, **options):
        today = dates.today()
        if options["date"]:
            try:
                today = datetime.datetime.strptime(options["date"], "%d/%m/%Y").date()
            except ValueError:
                raise CommandError("Ngày không hợp lệ, hãy viết dd/mm/yyyy.") from None
        queued = send_due_reminders(today)
        self.stdout.write(f"Đã gửi {queued} lời nhắc ngày {today:%d/%m/%Y}.")
