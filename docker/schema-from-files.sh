#!/bin/sh
# Stands in for `playground schema [--events]` in the frontend build stage, where Python is not installed: prints
# the JSON Schema that the Python stage wrote into $SCHEMA_DIR. Called by frontend/scripts/gen-types.mjs as
# "$PLAYGROUND_BIN schema" and "$PLAYGROUND_BIN schema --events".
set -eu
dir="${SCHEMA_DIR:-/schema}"
[ "${1:-}" = schema ] || { echo "schema-from-files: expected 'schema [--events]', got: $*" >&2; exit 2; }
if [ "${2:-}" = --events ]; then
  exec cat "$dir/events.json"
fi
exec cat "$dir/runspec.json"
