#!/bin/sh
# The image's roles, named by the container's command:
#   web                migrations, the superuser admin (ensure_admin prints a generated password once), daphne on :8000
#   scheduler          hands queued runs to free worker slots, reaps runs whose worker stopped heartbeating
#   worker ARGS...     a Celery worker; ARGS name its queue: -Q gpu0 -n gpu0@%h -c 1
#   anything else      runs as given (sh, python manage.py createsuperuser, ...)
set -eu
role="${1:-web}"
[ $# -gt 0 ] && shift
case "$role" in
  web)
    python manage.py migrate --noinput
    python manage.py ensure_admin
    exec python -m daphne --proxy-headers -b 0.0.0.0 -p 8000 playground.asgi:application
    ;;
  scheduler)
    exec python manage.py scheduler "$@"
    ;;
  worker)
    exec python -m celery -A playground worker -l "${LOG_LEVEL:-INFO}" --without-gossip --without-mingle "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
