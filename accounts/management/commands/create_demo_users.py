"""``manage.py create_demo_users``: admin (ADMIN, superuser), manager, staff with $DEMO_PASSWORD."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandParser

from accounts.services import demo_users_ensure


class Command(BaseCommand):
    help = "데모 사용자 admin(관리자), manager(매니저), staff(직원)를 만들거나 비밀번호를 재설정합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password", default=None, help="비밀번호 (기본: 환경 변수 DEMO_PASSWORD, 없으면 demo1234!)"
        )

    def handle(self, *args: object, **options: object) -> None:
        password = options["password"] or os.environ.get("DEMO_PASSWORD") or "demo1234!"
        rows = demo_users_ensure(password=str(password))
        self.stdout.write("데모 사용자 (아이디 / 역할 / 비밀번호):")
        for user, created in rows:
            state = "생성" if created else "갱신"
            self.stdout.write(f"  {user.username:<8} {user.get_role_display():<4} {password}  ({state})")
