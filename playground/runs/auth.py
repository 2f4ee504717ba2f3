"""Who is asking: the session cookie (browser, with CSRF) or `Authorization: Bearer <token>` (scripts) for the API;
the session or `?token=` for websockets."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from playground.runs.models import ApiToken


def user_for_token(key: str) -> Any | None:
    token = ApiToken.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


API_AUTH = [BearerToken(), django_auth]


class TokenAuthMiddleware:
    """Websockets: `?token=<key>` logs the connection in when the session did not."""

    def __init__(self, inner: Any):
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        query = parse_qs(scope.get("query_string", b"").decode())
        key = (query.get("token") or [""])[0]
        user = scope.get("user")
        if key and not (user is not None and user.is_authenticated):
            found = await database_sync_to_async(user_for_token)(key)
            if found is not None:
                scope = {**scope, "user": found}
        return await self.inner(scope, receive, send)


def TokenOrSessionAuthStack(inner: Any) -> Any:
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
