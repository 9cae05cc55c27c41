"""Demo reporting round: Quảng Ngãi's 2025 annual round to its communes, a few answers in
different states (draft, returned, submitted, accepted, complete), so that each demo persona finds
something to do on the home page. Texts are illustrative."""

import datetime

from binhdang.accounts.models import User
from binhdang.core import dates
from binhdang.orgunits.models import Level, OrgUnit
from binhdang.reporting import services
from binhdang.reporting.models import ReportingRound

ROUND_NAME = "Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2025"
NOTE = "(Nội dung minh họa)"
TEXTS = {
    "ket-qua": "Tổ chức {n} hội nghị tuyên truyền Luật Bình đẳng giới cho cán bộ, hội viên phụ nữ; "
    "lồng ghép nội dung bình đẳng giới trong các cuộc họp thôn, tổ dân phố. " + NOTE,
    "han-che": "Kinh phí dành cho công tác bình đẳng giới còn hạn chế; cán bộ làm công tác bình "
    "đẳng giới kiêm nhiệm, thường xuyên thay đổi. " + NOTE,
    "phuong-huong": "Tiếp tục tuyên truyền, nâng tỷ lệ nữ tham gia cấp ủy; tổ chức hoạt động "
    "hưởng ứng Tháng hành động vì bình đẳng giới. " + NOTE,
}


def _texts(n: int) -> dict:
    return {key: text.format(n=n) for key, text in TEXTS.items()}


def _send(actor, submission, n: int):
    submission = services.mark_complete(
        actor, submission, version=submission.version, texts=_texts(n)
    )
    return services.submit(actor, submission, version=submission.version)


def setup_round(province: OrgUnit) -> ReportingRound:
    """Open the demo round once (later runs leave it as it is)."""
    existing = ReportingRound.objects.filter(opener=province, name=ROUND_NAME).first()
    if existing:
        return existing
    approver = User.objects.get(username="qngai.pheduyet")
    admin = User.objects.get(username="admin")
    today = dates.today()
    round = services.open_round(
        approver,
        province,
        name=ROUND_NAME,
        kind="annual",
        year=2025,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        deadline=max(datetime.date(2025, 12, 15), today + datetime.timedelta(days=14)),
        levels=[Level.COMMUNE],
        instructions="Các xã, phường, đặc khu báo cáo kết quả năm 2025 theo đề cương kèm theo; "
        "số liệu các chỉ tiêu nhập tại mục Chỉ tiêu. " + NOTE,
    )
    submissions = list(
        round.submissions.select_related("unit", "round").order_by("unit__official_code")
    )
    officers = {u.unit_id: u for u in User.objects.filter(username__in=["qngai.xa1", "qngai.xa2"])}

    def writer(submission):
        return officers.get(submission.unit_id, admin)

    # The demo officers' communes come first by official code: the first has a draft to finish
    # (its figures open, so the README's first journey needs no unlock), the second a returned
    # report with the reviewer's comment; the third waits for the province's review. The one
    # accepted (figures locked) is a commune no demo account belongs to.
    first, second, third, fourth, fifth = submissions[:5]
    services.save_draft(
        writer(first), first, version=first.version, texts={"ket-qua": _texts(1)["ket-qua"]}
    )
    returned = _send(writer(second), second, 2)
    services.return_submission(
        approver,
        returned,
        version=returned.version,
        comment="Đề nghị bổ sung số lớp tập huấn và số người tham dự. " + NOTE,
    )
    _send(writer(third), third, 4)
    accepted = _send(writer(fourth), fourth, 3)
    services.accept(approver, accepted, version=accepted.version, note="")
    services.mark_complete(writer(fifth), fifth, version=fifth.version, texts=_texts(1))
    return round
