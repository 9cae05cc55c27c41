"""`binhdang manage clean_jobs`: close interrupted background jobs and delete old ones (daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from binhdang.core import jobs


class Command(BaseCommand):
    help = (
        "Dọn công việc nền: đánh dấu thất bại các công việc chưa xong sau JOB_STALE_HOURS giờ "
        "(tiến trình chạy nền đã dừng) và xóa các công việc đã xong quá JOB_KEEP_DAYS ngày cùng "
        "tệp kết quả. Chạy mỗi ngày một lần (cron)."
    )

    def handle(self, *args, **options):
        done = jobs.clean()
        self.stdout.write(
            f"Đã đánh dấu {done.interrupted} công việc bị gián đoạn (quá "
            f"{settings.JOB_STALE_HOURS} giờ chưa xong); đã xóa {done.deleted} công việc cũ "
            f"hơn {settings.JOB_KEEP_DAYS} ngày và {done.files} tệp."
        )
