"""URL map: the API under /api/, login under /accounts/, the admin, and the browser app everywhere else."""

from django.contrib import admin
from django.urls import include, path, re_path

from playground.runs.api import api
from playground.runs.views import frontend

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", api.urls),
    re_path(r"^(?!api/|admin/|accounts/|ws/|static/).*$", frontend, name="frontend"),
]
