"""`binhdang manage load_admin_map`: load or update the administrative map."""

from django.core.management.base import BaseCommand

from binhdang.orgunits.loading import MAP_SOURCE, load_reference_map


class Command(BaseCommand):
    help = "Nạp bản đồ hành chính (34 tỉnh, 3.321 xã; dữ liệu trước 2025) và các bộ, ngành."

    def handle(self, *args, **options):
        self.stdout.write(f"Đang nạp bản đồ hành chính từ {MAP_SOURCE}…")
        report = load_reference_map()
        for warning in report.warnings[:50]:
            self.stdout.write(self.style.WARNING(f"  ! {warning}"))
        if len(report.warnings) > 50:
            self.stdout.write(
                self.style.WARNING(f"  … và {len(report.warnings) - 50} cảnh báo khác")
            )
        self.stdout.write(self.style.SUCCESS(f"Xong: {report.summary()}."))
