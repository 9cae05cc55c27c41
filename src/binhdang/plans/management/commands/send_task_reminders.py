"""`binhdang manage send_task_reminders`: queue today's deadline reminders (run daily by cron)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from binhdang.core.dates import today
from binhdang.plans import reminders
from binhdang.plans.models import ReminderKind


class Command(BaseCommand):
    help = (
        "Gửi e-mail nhắc hạn nhiệm vụ: nhiệm vụ còn TASK_REMINDER_DAYS ngày đến hạn và nhiệm vụ "
        "quá hạn từ hôm qua. Chạy mỗi ngày một lần (cron); chạy lại trong ngày không gửi trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Ngày xét (YYYY-MM-DD), mặc định hôm nay; dùng để chạy bù một ngày bị lỡ.",
        )

    def handle(self, *args, **options):
        day = today()
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("Ngày không hợp lệ, hãy viết YYYY-MM-DD.") from None
        queued = reminders.schedule(day)
        due = sum(1 for r in queued if r.kind == ReminderKind.DUE)
        missed = len(queued) - due
        days = ", ".join(str(d) for d in reminders.reminder_days())
        self.stdout.write(
            f"{day:%d/%m/%Y}: đã xếp hàng {len(queued)} e-mail nhắc hạn "
            f"({due} sắp đến hạn, trước {days} ngày; {missed} quá hạn)."
        )
