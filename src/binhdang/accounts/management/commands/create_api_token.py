"""`binhdang manage create_api_token USER`: a personal access token for the API, printed once."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from binhdang.accounts import services
from binhdang.accounts.models import TokenScope, User


class Command(BaseCommand):
    help = (
        "Tạo mã truy cập API cho một tài khoản và in ra một lần (như trang Tài khoản của tôi). "
        "/ Make an API access token for an account and print it once."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="curl")
        parser.add_argument("--scope", choices=TokenScope.values, default=TokenScope.READ)
        parser.add_argument("--expires", help="YYYY-MM-DD (mặc định: đến khi thu hồi)")

    def handle(self, *args, username, name, scope, expires, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Không có tài khoản đang hoạt động tên “{username}”.")
        try:
            expires_on = datetime.date.fromisoformat(expires) if expires else None
            _token, text = services.create_token(user, name, scope, expires_on)
        except ValueError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(text)
