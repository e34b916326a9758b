import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from benchmarks.synthetic import MAX_TOWNS, generate_synthetic


class Command(BaseCommand):
    help = (
        "ベンチマーク用の合成データ（【合成】と明記）を一括で作成します。"
        "既存の合成データは置き換えます。デモデータと実データには触れません。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--regions", type=int, default=1, help="圏域の数")
        size = parser.add_mutually_exclusive_group()
        size.add_argument("--towns-per-region", type=int, help="圏域ごとの市町村数")
        size.add_argument(
            "--towns",
            type=int,
            help=f"市町村の総数（圏域に均等に配分。最大 {MAX_TOWNS}）。例: 全国 1741",
        )
        parser.add_argument("--years", type=int, default=10, help="年度の数（今年度まで）")
        parser.add_argument("--seed", type=int, default=20251124, help="乱数の種")

    def handle(self, *args, regions, towns_per_region, towns, years, seed, **options):
        if not settings.DEBUG:
            raise CommandError(
                "generate_synthetic は DEBUG=True の開発・検証環境でのみ使えます。"
                "本番のデータベースに合成データは作成できません。"
            )
        total = towns if towns is not None else regions * (towns_per_region or 4)
        started = time.perf_counter()
        try:
            summary = generate_synthetic(regions=regions, towns=total, years=years, seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"【合成】データを作成しました: {summary.regions} 圏域, {summary.towns} 市町村, "
                f"{summary.fiscal_years[0]}〜{summary.fiscal_years[-1]} 年度, "
                f"{summary.total_rows:,} 行, {elapsed:.1f} 秒"
            )
        )
        for table, rows in sorted(summary.rows.items()):
            self.stdout.write(f"  {table:45s} {rows:>9,}")
