"""`binhdang manage clean_notices`: delete notices read long ago (daily, by cron)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from binhdang.notices import services


class Command(BaseCommand):
    help = (
        "Xóa các thông báo đã đọc quá NOTICE_KEEP_DAYS ngày (thông báo chưa đọc được giữ lại). "
        "Chạy mỗi ngày một lần (cron)."
    )

    def handle(self, *args, **options):
        deleted = services.clean()
        self.stdout.write(
            f"Đã xóa {deleted} thông báo đã đọc quá {settings.NOTICE_KEEP_DAYS} ngày."
        )
