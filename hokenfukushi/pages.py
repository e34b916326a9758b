"""What every page of the site does before its own work."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hokenfukushi.scope import can_read_anything


def scope_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and with something to read: an account without a read scope (権限なし, or a
    coordinator account whose record is no longer active) gets a page that says so and who can
    change it, instead of a page of zeros."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_read_anything(request.user):
            return render(request, "no_scope.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped
