"""`loaddata` that restores the change history as it was dumped, without adding to it.

A backup (README「バックアップと復元」) already holds every historical row. Django saves fixture
rows with raw=True, which simple_history respects, but many-to-many fields are then set through
the related manager, which fires m2m_changed, and simple_history would record a new
"changed by nobody, just now" entry for every coordinator and council in the file. Loading data
is not a change anyone made, so history is off while the fixture loads.
"""

from django.conf import settings
from django.core.management.commands.loaddata import Command as DjangoLoadDataCommand

_UNSET = object()


class Command(DjangoLoadDataCommand):
    help = (
        DjangoLoadDataCommand.help
        + "（変更履歴は記録しません: 履歴はバックアップに含まれています）"
    )

    def handle(self, *fixture_labels, **options):
        previous = getattr(settings, "SIMPLE_HISTORY_ENABLED", _UNSET)
        settings.SIMPLE_HISTORY_ENABLED = False
        try:
            return super().handle(*fixture_labels, **options)
        finally:
            if previous is _UNSET:
                del settings.SIMPLE_HISTORY_ENABLED
            else:
                settings.SIMPLE_HISTORY_ENABLED = previous
