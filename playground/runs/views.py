"""The browser app: every page that is not the API, the admin or the login is the single-page frontend."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie

_MISSING = """<!doctype html><meta charset="utf-8"><title>Playground: frontend not built</title>
<body style="font-family: system-ui; max-width: 40em; margin: 4em auto">
<h1>The browser app is not built yet</h1>
<p>Run <code>make run</code> (or <code>make install</code>), which builds <code>frontend/</code> into
<code>{path}</code>. The API is up: see <a href="/api/docs">/api/docs</a>.</p></body>"""


@login_required
@ensure_csrf_cookie
def frontend(request: HttpRequest) -> HttpResponse:
    index = settings.FRONTEND_BUILD / "index.html"
    if not index.exists():
        return HttpResponse(_MISSING.format(path=index.parent), status=503)
    return HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})
