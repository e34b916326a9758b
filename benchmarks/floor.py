"""Floor views: what a page costs when nothing but its SQL runs.

`floor` runs the SQL a real view ran (captured by run.py) through a plain cursor and returns the
rows as text: same middleware, same sign-in check, same queries, no ORM objects, no templates.
`copy_served` is the floor of an export as a download: PostgreSQL's own CSV (`COPY … TO
STDOUT WITH CSV`) of the export's SELECTs, streamed as the HTTP response behind the same
middleware and sign-in check. `signed_in` is the cheapest signed-in page there can be (no SQL of
its own)."""

from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from exports.csv_output import CHUNK_BYTES

# Filled in by run.py before timing: the SQL statements of the view being compared.
FLOOR_SQL: list[str] = []
# Filled in by run.py before timing: the SELECTs whose COPY output `copy_served` sends.
COPY_SQL: list[str] = []


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    lines = []
    with connection.cursor() as cursor:
        for sql in FLOOR_SQL:
            cursor.execute(sql)
            lines.extend("\t".join(map(str, row)) for row in cursor.fetchall())
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@login_required
def signed_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def _copied(statements: list[str]) -> Iterator[bytes]:
    """COPY output in pieces of about CHUNK_BYTES, as the exports send theirs: PostgreSQL sends
    one message per row, and a chunk per row through Django would measure the server, not COPY."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        for sql in statements:
            with cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV") as copy:
                parts: list[bytes] = []
                size = 0
                for data in copy:
                    parts.append(bytes(data))
                    size += len(data)
                    if size >= CHUNK_BYTES:
                        yield b"".join(parts)
                        parts.clear()
                        size = 0
                if parts:
                    yield b"".join(parts)


@login_required
def copy_served(request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(_copied(list(COPY_SQL)), content_type="text/csv; charset=utf-8")
