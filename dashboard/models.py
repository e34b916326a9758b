"""The data versions the dashboard's page cache is keyed on, kept by database triggers.

The tables keep their names from when they lived in the region core (hokenfukushi_datachange,
hokenfukushi_dataversion); dashboard/migrations/0001 took the models over without touching them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hokenfukushi.scope import ScopedQuerySet

if TYPE_CHECKING:
    from hokenfukushi.models import Region, User

# The "region" of writes that belong to no single region (the regions table itself, TRUNCATE, a
# row whose region is already gone): every page depends on it.
EVERY_REGION = 0


class RegionCounterQuerySet(ScopedQuerySet):
    """Counters are read through the one scope rule: `visible_to(user)` gives those of the
    regions the user may read, as for every other row of a region."""

    region_path = "region"
    municipality_path = None

    def shown_on_page(self, user: User | None, *, region: Region | None = None) -> Self:
        """The counters a page depends on: those of the regions it shows (the regions `user`
        may read, by the scope rule; every region for None; narrowed to `region` when one is
        picked), and the counter of rows of no single region (EVERY_REGION).

        One `filter` of one condition: this is read on every request for a cached page, and
        OR-ing two querysets cost more ORM work than the statement took to run."""
        shown = None if user is None else self.read_condition(user)
        if region is not None:
            shown = Q(region_id=region.pk) if shown is None else shown & Q(region_id=region.pk)
        if shown is None:
            return self.all()
        return self.filter(Q(region_id=EVERY_REGION) | shown)


class DataChange(models.Model):
    """A row per region a statement wrote to, inserted by database triggers on the tables the
    dashboard reads (dashboard/migrations/0002), never by the app. On PostgreSQL each row lives
    only until its transaction commits, when a deferred trigger bumps that region's DataVersion
    and deletes it; only the writing transaction itself ever sees one."""

    id = models.BigAutoField(primary_key=True)
    region_id = models.BigIntegerField(_("圏域"), default=EVERY_REGION)

    objects = RegionCounterQuerySet.as_manager()

    class Meta:
        verbose_name = _("データ変更の記録")
        verbose_name_plural = _("データ変更の記録")
        db_table = "hokenfukushi_datachange"
        default_permissions = ()

    def __str__(self) -> str:
        return f"データ変更 #{self.pk}（圏域 {self.region_id}）"


class DataVersion(models.Model):
    """One row per region: how many committed transactions have written to that region's rows of
    the dashboard's tables (region EVERY_REGION: to rows of no single region).

    Bumped by database triggers (dashboard/migrations/0002), on PostgreSQL when the writing
    transaction commits, so that a version never moves before the data it stands for is
    visible; see dashboard/cache.py: data_version. A plain id, not a foreign key: the counter
    of a deleted region is harmless, and region 0 is no region."""

    region_id = models.BigIntegerField(_("圏域"), unique=True)
    version = models.BigIntegerField(default=0)

    objects = RegionCounterQuerySet.as_manager()

    class Meta:
        verbose_name = _("データ版")
        verbose_name_plural = _("データ版")
        db_table = "hokenfukushi_dataversion"
        default_permissions = ()

    def __str__(self) -> str:
        return f"データ版 圏域 {self.region_id}: {self.version}"
