"""`binhdang manage load_catalogue`: load or update the NSGE 2021–2030 catalogue."""

from django.core.management.base import BaseCommand

from binhdang.indicators.loading import CATALOGUE, load_catalogue


class Command(BaseCommand):
    help = "Nạp danh mục chỉ tiêu Chiến lược quốc gia về bình đẳng giới 2021–2030."

    def handle(self, *args, **options):
        self.stdout.write(f"Đang nạp danh mục chỉ tiêu từ {CATALOGUE.name}…")
        report = load_catalogue()
        for item in report.kept:
            self.stdout.write(self.style.WARNING(f"  ! giữ giá trị do quản trị nhập: {item}"))
        self.stdout.write(self.style.SUCCESS(f"Xong: {report.summary()}."))
