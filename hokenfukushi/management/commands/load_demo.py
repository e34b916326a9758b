from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hokenfukushi.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo_users, load_region_core

# Each domain app contributes its own demo data through `<app>.demo.load(region)`, in this order
# (meetings refer to coordinators).
APP_DEMO_MODULES = (
    "coordinators.demo",
    "meetings.demo",
    "caseload.demo",
    "hokenfukushi.demo_coverage",
)


class Command(BaseCommand):
    help = "児玉郡市のデモデータを読み込みます（何度実行しても結果は同じです）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-users",
            action="store_true",
            help="デモ用アカウント（center, honjo, misato, kamikawa, kamisato, pref, "
            "coordinator）も作成します。",
        )

    def handle(self, *args, with_users: bool = False, **options):
        if with_users and not settings.DEBUG:
            raise CommandError(
                "--with-users は DEBUG=True の開発環境でのみ使えます。"
                "本番環境にデモ用アカウント（既知のパスワード）は作成できません。"
            )
        user_lines: list[tuple[str, str]] = []
        with transaction.atomic():
            region = load_region_core()
            modules = []
            for module_name in APP_DEMO_MODULES:
                try:
                    module = import_module(module_name)
                except ModuleNotFoundError as missing:
                    if missing.name != module_name:
                        raise
                    continue
                module.load(region)
                modules.append(module)
            if with_users:
                load_demo_users(region)
                # an app's own demo accounts (coordinators: `coordinator`, tied to its record)
                for module in modules:
                    if hasattr(module, "load_users"):
                        module.load_users(region)
                        user_lines.extend(module.DEMO_USER_LINES)
        self.stdout.write(self.style.SUCCESS(f"デモデータを読み込みました: {region.name}"))
        if with_users:
            self.stdout.write("デモ用ログイン（パスワードは共通: %s）:" % DEMO_PASSWORD)
            for username, _role, _town, display in DEMO_ACCOUNTS:
                self.stdout.write(f"  {username:10s} {display}")
            for username, display in user_lines:
                self.stdout.write(f"  {username:10s} {display}")
