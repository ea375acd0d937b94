#!/usr/bin/env bash
# Installs the system packages the test suite uses, from Debian's archive, when they are missing:
# PostgreSQL (the multi-user store) and Chromium (the browser the web tests drive through Playwright).
# Needs root (or sudo); prints what it does. Safe to run again.
set -euo pipefail
need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "system-deps: installing ${need[*]} from Debian's packages" >&2
$SUDO apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
