"""`binhdang manage setup_demo`: the real map plus demo accounts; safe to run again."""

from django.core.management.base import BaseCommand

from binhdang.demo.accounts import DEMO_PASSWORD, setup_demo
from binhdang.demo.activities import setup_activities
from binhdang.demo.committees import setup_committee
from binhdang.demo.indicators import YEAR, setup_figures
from binhdang.demo.plans import setup_ministry_task, setup_plans
from binhdang.demo.reporting import setup_round
from binhdang.indicators.loading import load_catalogue
from binhdang.orgunits.loading import load_reference_map
from binhdang.orgunits.models import OrgUnit


class Command(BaseCommand):
    help = "Nạp bản đồ hành chính và tạo tài khoản mẫu (chạy lại không tạo trùng)."

    def handle(self, *args, **options):
        if not OrgUnit.objects.filter(code="VN").exists():
            self.stdout.write("Đang nạp bản đồ hành chính (lần đầu, khoảng vài giây)…")
        report = load_reference_map()
        self.stdout.write(f"Bản đồ hành chính: {report.summary()}.")
        self.stdout.write(f"Danh mục chỉ tiêu: {load_catalogue().summary()}.")
        accounts = setup_demo()
        admin = accounts[0]
        province = next(u.unit for u in accounts if u.username == "qngai.quantri")
        standing = province.children.filter(name="Sở Nội vụ").first()
        committee = setup_committee(admin, province, standing)
        self.stdout.write(f"Ban VSTBPN mẫu: {committee.name}.")
        figures = setup_figures(admin, province)
        self.stdout.write(f"Số liệu minh họa năm {YEAR}: {figures} giá trị.")
        self.stdout.write(f"Kỳ báo cáo mẫu: {setup_round(province).name}.")
        self.stdout.write(f"Kế hoạch, nhiệm vụ mẫu: {setup_plans(admin, province).title}.")
        ministry = next(u.unit for u in accounts if u.username == "bnv.quantri")
        setup_ministry_task(admin, ministry)
        self.stdout.write(f"Hoạt động minh họa: {setup_activities(admin, province)} hoạt động mới.")
        self.stdout.write(
            self.style.SUCCESS(
                f"\nTài khoản mẫu / demo accounts (mật khẩu / password: {DEMO_PASSWORD}):"
            )
        )
        for user in accounts:
            self.stdout.write(
                f"  {user.username:<22} {user.get_role_display():<22} {user.unit.name}"
            )
        self.stdout.write(
            "\nBắt đầu: đăng nhập qngai.xa1, trang “Việc cần làm” có báo cáo cần viết; rồi "
            "qngai.pheduyet để xem xét.\nStart: sign in as qngai.xa1, whose home page has a "
            "report to write; then as qngai.pheduyet to review it."
        )
        self.stdout.write("")
