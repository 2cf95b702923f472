#!/usr/bin/env bash
# Installs the system packages Synth's tests need on Debian bookworm:
#  - Mesa 25 from bookworm-backports (llvmpipe + lavapipe), so Dawn's WebGPU runs without a GPU. Bookworm's own
#    Mesa 22 is too old for Dawn; the OpenGL ES backend on llvmpipe is the stable path (see docs/simulations.md).
#  - Chromium, for the report and VS Code (code-server) browser tests.
#  - Slurm (slurm-wlm) and munge, for the one-node cluster of the scale-out test (scripts/slurm/local-cluster.sh).
# Idempotent; needs root. Uses the same mirror as the existing bookworm entry.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then echo "install-system-deps: needs root" >&2; exit 1; fi
if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # The mirror of the existing bookworm entry (deb822 "URIs:" line or a one-line "deb URL bookworm" entry).
  mirror=$( (grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}';
             grep -hE '^deb .* bookworm ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}') | grep -v security | head -n1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" \
    > /etc/apt/sources.list.d/bookworm-backports.sources
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq -t bookworm-backports libegl-mesa0 mesa-vulkan-drivers libgl1-mesa-dri libgbm1 >/dev/null
apt-get install -y -qq libgles2 libegl-dev libegl1 chromium ripgrep libkrb5-dev fonts-dejavu-core slurm-wlm munge >/dev/null
echo "install-system-deps: mesa $(dpkg-query -W -f='${Version}' libegl-mesa0), chromium $(dpkg-query -W -f='${Version}' chromium), slurm $(dpkg-query -W -f='${Version}' slurm-wlm)"
