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

application = ProtocolTypeRouter(
    {
        "http": ASGIStaticFilesHandler(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(TokenOrSessionAuthStack(URLRouter(websocket_urlpatterns))),
    }
)
