"""Floor views: what a page costs when nothing but its SQL runs.

`floor` runs the SQL a real view ran (captured by run.py) through a plain cursor and returns the
rows as text: same middleware, same sign-in check, same queries, no ORM objects, no templates.
`signed_in` is the cheapest signed-in page there can be (no SQL of its own)."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse

# Filled in by run.py before timing: the SQL statements of the view being compared.
FLOOR_SQL: list[str] = []


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
