"""``manage.py issue_internal_token --service NAME --role ROLE --days N``: print one token."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.internal_tokens import MAX_DAYS, internal_token_issue
from accounts.roles import Role


class Command(BaseCommand):
    help = "내부 서비스용 X-Internal-Token(HS256 JWT)을 발급해 출력합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--service", required=True, help="서비스 이름 (토큰의 sub, 감사 로그에 표시)")
        parser.add_argument("--role", required=True, choices=Role.values, help="역할")
        parser.add_argument("--days", type=float, default=30, help=f"유효 기간(일), 최대 {MAX_DAYS}")

    def handle(self, *args: object, **options: object) -> None:
        try:
            token = internal_token_issue(
                service=str(options["service"]), role=str(options["role"]), days=float(options["days"])
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(token)
