#!/usr/bin/env bash
# Installs the Kubernetes API sources kubetcd compiles its schema from: Debian's
# golang-k8s-api-dev and golang-k8s-apimachinery-dev (Kubernetes 0.32.3 = 1.32, Debian trixie),
# downloaded with apt under a private configuration (own sources list, lists, cache, empty dpkg
# status), checked against pinned SHA-256 sums and unpacked with dpkg-deb into proto/upstream/
# (git-ignored). The machine's apt sources, lists and installed packages are left untouched.
#
#   bash proto/install.sh            install if missing (quiet when already there)
#   bash proto/install.sh --force    download and unpack again
#
# Afterwards the sources are in proto/upstream/root/usr/share/gocode/src/k8s.io/{api,apimachinery}.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dest="$here/upstream"
root="$dest/root"
stamp="$dest/installed.txt"

# package=version sha256 — the exact files kubetcd is tested against.
PACKAGES=(
  "golang-k8s-api-dev=0.32.3-1 f7b52c32b3522bf8c6ccc7c9645d01c87cbee31ab22de2a92de56fac3e4dd772"
  "golang-k8s-apimachinery-dev=0.32.3-2 7b83b05ec2fd0bf6f1db8a2b0c0dcbfbdd5ec555210ea5c4dc09575346fdf2f6"
)
SUITE=${KUBETCD_DEBIAN_SUITE:-trixie}

# The Debian archive: $KUBETCD_DEBIAN_MIRROR, else the one this machine's apt sources use.
# shellcheck source=../scripts/private-apt.sh
source "$here/../scripts/private-apt.sh"
MIRROR=$(debian_mirror)
if [ -z "$MIRROR" ]; then
  echo "proto/install.sh: found no Debian archive in this machine's apt sources." >&2
  echo "Set KUBETCD_DEBIAN_MIRROR to a Debian archive URL, or KUBETCD_K8S_SOURCES (see proto/README.md)." >&2
  exit 1
fi

want=$(printf '%s\n' "${PACKAGES[@]}" | sha256sum | cut -c1-16)
if [ "${1:-}" != "--force" ] && [ -f "$stamp" ] && grep -qx "fingerprint $want" "$stamp"; then
  exit 0
fi

for tool in apt-get dpkg-deb sha256sum; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "proto/install.sh: '$tool' is not installed. This script needs a Debian or Ubuntu machine;" >&2
    echo "elsewhere, point KUBETCD_K8S_SOURCES at a folder holding k8s.io/api and k8s.io/apimachinery" >&2
    echo "(a Go module cache or a checkout) instead. See proto/README.md." >&2
    exit 1
  fi
done
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if [ ! -f "$keyring" ]; then
  echo "proto/install.sh: $keyring is missing. Install Debian's 'debian-archive-keyring' package" >&2
  echo "(apt-get install debian-archive-keyring), or set KUBETCD_K8S_SOURCES; see proto/README.md." >&2
  exit 1
fi

work="$dest/apt"
rm -rf "$work" "$root"
specs=()
for p in "${PACKAGES[@]}"; do specs+=("${p%% *}"); done
echo "kubetcd: downloading Kubernetes API sources (Debian $SUITE: ${specs[*]})" >&2
if ! private_apt_download "$work" "$SUITE" "$MIRROR" "${specs[@]}"; then
  echo "proto/install.sh: is $MIRROR reachable? If Debian $SUITE no longer carries these versions," >&2
  echo "set KUBETCD_K8S_SOURCES instead (proto/README.md)." >&2
  exit 1
fi
{
  echo "# Installed by proto/install.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ) from Debian $SUITE ($MIRROR)"
  if ! private_apt_unpack "$work" "$root" "${PACKAGES[@]}"; then
    echo "proto/install.sh: delete proto/upstream and try again." >&2
    exit 1
  fi
  echo "fingerprint $want"
} >"$stamp.tmp"
rm -rf "$work"
mv "$stamp.tmp" "$stamp"
echo "kubetcd: Kubernetes API sources installed in $root/usr/share/gocode/src" >&2
