"""Helpers shared by the HTML views of every app: domain errors to HTTP, htmx partials, form errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from keel.core.errors import ConflictError, NotFound, PermissionDenied, validation_errors


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a page view: sign-in required; NotFound becomes 404 and PermissionDenied 403."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return login_required(wrapper)


def is_partial(request: HttpRequest) -> bool:
    """Whether htmx asked for a fragment (not a boosted page load nor a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the whole page, or only `partial` when htmx asked for a fragment."""
    use_partial = partial is not None and is_partial(request)
    response = render(request, partial if use_partial else template, context, status=status)
    if partial is not None:
        # The same URL answers a page or a fragment: caches must tell them apart.
        patch_vary_headers(response, ["HX-Request"])
    return response


def add_domain_error(form: forms.BaseForm, error: ValidationError | PermissionDenied | ConflictError) -> None:
    """Put a service's error on the form: each message next to its field, the rest at the top."""
    if isinstance(error, ValidationError):
        for field, messages in validation_errors(error).items():
            form.add_error(field if field in form.fields else None, messages)
        return
    message = str(error)
    field, sep, rest = message.partition(": ")
    if sep and field in form.fields:
        form.add_error(field, rest)
    else:
        form.add_error(None, message)


def require_staff_area(allowed: bool) -> None:
    """Refuse a page of an area the user's roles do not open (403: the area exists for others)."""
    if not allowed:
        raise DjangoPermissionDenied("This page is for PMO administrators.")
