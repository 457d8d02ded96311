#!/usr/bin/env bash
# Headless Chromium for the report tests (tests/report/ drive it through playwright-core).
# Idempotent: installs Debian's chromium package only when /usr/bin/chromium is missing.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo 'installed but does not run')"
