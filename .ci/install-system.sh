#!/usr/bin/env bash
# System packages the tests need on a fresh Debian 12 machine:
# - Mesa's lavapipe (software Vulkan) from bookworm-backports: Debian 12's Mesa 22 is too old for Dawn.
# - bubblewrap: the sandbox for the `os` environment.
set -euo pipefail
need=0
dpkg -s bubblewrap >/dev/null 2>&1 || need=1
# Dawn needs Mesa >= 23; the backports build is 25.x.
mesa_version=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo none)
case "$mesa_version" in 2[3-9]*|[3-9][0-9]*) ;; *) need=1 ;; esac
if [ "$need" = 1 ]; then
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    cat > /etc/apt/sources.list.d/bookworm-backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq bubblewrap >/dev/null
  apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
fi
echo "system packages: bubblewrap $(dpkg-query -W -f='${Version}' bubblewrap), mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
