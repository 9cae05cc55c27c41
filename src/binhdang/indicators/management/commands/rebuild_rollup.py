"""`binhdang manage rebuild_rollup`: recompute the sub-units' sums the roll-up reads."""

import time

from django.core.management.base import BaseCommand

from binhdang.indicators import sums


class Command(BaseCommand):
    help = (
        "Tính lại các tổng theo đơn vị cấp dưới mà phép tổng hợp số liệu đọc (sau khi khôi phục "
        "dữ liệu hoặc chuyển đơn vị bằng tay). / Recompute the sub-units' sums the roll-up reads."
    )

    def handle(self, *args, **options):
        start = time.perf_counter()
        count = sums.rebuild()
        seconds = time.perf_counter() - start
        self.stdout.write(self.style.SUCCESS(f"Xong: {count:,} tổng, {seconds:.1f} giây."))
