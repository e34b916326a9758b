from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.tasks import TaskResultStatus

from coordinators.invitations import InvitationRefused, invite, needing_invitation
from coordinators.models import Coordinator
from hokenfukushi.models import Municipality, Region


class Command(BaseCommand):
    help = (
        "仕事用メールアドレスがあり、まだアカウントのない活動中のコーディネーター全員に"
        "アカウントの招待を送ります（何度実行しても、同じ人に二度は送りません）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--region",
            metavar="CODE",
            help="この圏域だけ: 圏域に属する市町村の団体コード（6桁）、または圏域の名前",
        )

    def handle(self, *args, region: str | None = None, **options):
        coordinators = Coordinator.objects.all()
        if region:
            coordinators = coordinators.filter(organization__region=self._region(region))
        pending = list(needing_invitation(coordinators).order_by("kana", "pk"))
        sent, failed = 0, []
        for coordinator in pending:
            try:
                result = invite(coordinator=coordinator, site_url=settings.SITE_URL)
            except InvitationRefused as refusal:
                failed.append(f"{coordinator.name}: {refusal}")
                continue
            if result.status == TaskResultStatus.FAILED:
                failed.append(f"{coordinator.name}: 送信できませんでした（次回の実行で再送します）")
            else:
                sent += 1
        skipped = coordinators.active().count() - len(pending)
        self.stdout.write(
            f"招待を送信: {sent} 件、送信できず: {len(failed)} 件、"
            f"対象外（アカウントあり・招待済み・メールアドレスなし）: {skipped} 名"
        )
        for line in failed:
            self.stderr.write(f"  {line}")
        if failed:
            raise CommandError(f"{len(failed)} 件の招待を送れませんでした。")

    def _region(self, value: str) -> Region:
        town = Municipality.objects.filter(code=value).select_related("region").first()
        if town is not None:
            return town.region
        found = Region.objects.filter(name=value).first()
        if found is None:
            raise CommandError(f"圏域が見つかりません: {value}（市町村の団体コードか圏域名）")
        return found
