#!/bin/sh
# What SyftBox runs to start this app (apps/syft-priority-sync/run.sh). SyftBox
# sets SYFTBOX_CLIENT_CONFIG_PATH; the controller reads the data dir and email
# from it and syncs through the SyftBox client's own files (syftbox transport).
set -eu
cd "$(dirname "$0")"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --omit=dev --no-audit --no-fund
fi
exec node bin/sps.mjs run --transport syftbox "$@"
