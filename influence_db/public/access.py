"""Who may read the public side: anyone, or with PUBLIC_REQUIRE_LOGIN only logged-in users."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import SAFE_METHODS, BasePermission


def public_allowed(request: HttpRequest) -> bool:
    return not settings.PUBLIC_REQUIRE_LOGIN or request.user.is_authenticated


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A read-only page: sends visitors to the login page when the site requires login."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not public_allowed(request):
            return redirect_to_login(request.get_full_path(), login_url="admin:login")
        return view(request, *args, **kwargs)

    return wrapped


class PublicReadOnly(BasePermission):
    """The API reads only, and follows the same login setting as the pages."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS and public_allowed(request)
