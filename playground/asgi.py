"""ASGI entry point (daphne): HTTP goes to Django (static files, the built frontend included, served by Django's
static handler: fine for a classroom; behind a proxy in production, see docs/operations.md), websockets to the
run consumer."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
django_asgi_app = get_asgi_application()  # before importing consumers: it sets Django up

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from playground.runs.routing import TokenOrSessionAuthStack, websocket_urlpatterns  # noqa: E402

websocket_app = TokenOrSessionAuthStack(URLRouter(websocket_urlpatterns))
checked_websocket_app = AllowedHostsOriginValidator(websocket_app)


async def websocket_origin_check(scope, receive, send):  # type: ignore[no-untyped-def]
    """Browsers always send Origin on a websocket handshake: theirs must be one of ALLOWED_HOSTS (a page elsewhere
    must not ride on the user's session cookie). A handshake without Origin is a script (the stream benchmark,
    a notebook), which authenticates with ?token= and has no cookie to abuse."""
    if any(name == b"origin" for name, _ in scope.get("headers", [])):
        return await checked_websocket_app(scope, receive, send)
    return await websocket_app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": ASGIStaticFilesHandler(django_asgi_app),
        "websocket": websocket_origin_check,
    }
)
