from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from hokenfukushi.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo_users, load_region_core


def demo_modules() -> list:
    """Each installed app's `demo` module with a `load(region)` (and optionally
    `load_users(region)`), found through the app registry (as the admin finds `admin` modules),
    in INSTALLED_APPS order: an app is listed after the apps its data refers to (meetings after
    coordinators). The core knows no app by name."""
    modules = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "demo"):
            module = import_module(f"{config.name}.demo")
            if callable(getattr(module, "load", None)):
                modules.append(module)
    return modules


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
            modules = demo_modules()
            for module in modules:
                module.load(region)
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
