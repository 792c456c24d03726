#!/usr/bin/env bash
# Installs the Kubernetes API sources kubetcd compiles its schema from, one folder per Kubernetes
# version, newest first:
#   - 1.36: Debian forky/sid's golang-k8s-api-dev 0.36.4-1 and golang-k8s-apimachinery-dev 0.36.4-3
#   - 1.32: Debian trixie's golang-k8s-api-dev 0.32.3-1 and golang-k8s-apimachinery-dev 0.32.3-2
# downloaded with apt under a private configuration (own sources list, lists, cache, empty dpkg
# status), checked against pinned SHA-256 sums and unpacked with dpkg-deb into proto/upstream/<version>/
# (git-ignored). The machine's apt sources, lists and installed packages are left untouched.
#
#   bash proto/install.sh            install what is missing (quiet when all is there)
#   bash proto/install.sh --force    download and unpack every version again
#
# Afterwards the sources are in proto/upstream/<version>/root/usr/share/gocode/src/k8s.io/{api,apimachinery},
# and proto/upstream/<version>/installed.txt names the packages. The schema is compiled from all of
# them at once (src/codec/schema.ts: defaultSourcesDirs); for each kind the newest version wins.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
upstream="$here/upstream"

# package=version sha256 — the exact files kubetcd is tested against, one list per Kubernetes version.
# (The sums are those of Debian's signed Packages index for these versions.)
PACKAGES_1_36=(
  "golang-k8s-api-dev=0.36.4-1 0b5f0e6bb3c55edf6a564496c5997b729e0b03c6597891a32dac9b6d71b9e109"
  "golang-k8s-apimachinery-dev=0.36.4-3 020045b2e32576be3350f382133cefaa6342f17ab8df24175667f6882b32925b"
)
PACKAGES_1_32=(
  "golang-k8s-api-dev=0.32.3-1 f7b52c32b3522bf8c6ccc7c9645d01c87cbee31ab22de2a92de56fac3e4dd772"
  "golang-k8s-apimachinery-dev=0.32.3-2 7b83b05ec2fd0bf6f1db8a2b0c0dcbfbdd5ec555210ea5c4dc09575346fdf2f6"
)
# Debian suites to find them in (a deb822 Suites line: several are fine; the pinned sums decide).
SUITES_1_36=${KUBETCD_DEBIAN_1_36_SUITES:-forky sid}
SUITES_1_32=${KUBETCD_DEBIAN_SUITE:-trixie}

force=
case "${1:-}" in
  "") ;;
  --force) force=1 ;;
  *)
    echo "proto/install.sh: unknown argument '$1'. Usage: bash proto/install.sh [--force]" >&2
    exit 1
    ;;
esac

fingerprint_of() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# installed DEST PACKAGE...: the pinned packages are unpacked in DEST (its stamp names their fingerprint).
installed() {
  local dest=$1
  shift
  [ -f "$dest/installed.txt" ] && grep -qx "fingerprint $(fingerprint_of "$@")" "$dest/installed.txt" &&
    [ -d "$dest/root/usr/share/gocode/src/k8s.io/api" ] && [ -d "$dest/root/usr/share/gocode/src/k8s.io/apimachinery" ]
}

# Before there was one folder per version, 1.32 lived in proto/upstream/{root,installed.txt}: move it
# into proto/upstream/1.32 rather than download it again.
if [ -z "$force" ] && [ -f "$upstream/installed.txt" ] && [ -d "$upstream/root" ] && [ ! -e "$upstream/1.32" ] &&
  grep -qx "fingerprint $(fingerprint_of "${PACKAGES_1_32[@]}")" "$upstream/installed.txt"; then
  mkdir -p "$upstream/1.32"
  mv "$upstream/root" "$upstream/1.32/root"
  mv "$upstream/installed.txt" "$upstream/1.32/installed.txt"
  echo "kubetcd: moved the Kubernetes 1.32 sources to $upstream/1.32" >&2
fi

need=()
if [ -n "$force" ] || ! installed "$upstream/1.36" "${PACKAGES_1_36[@]}"; then need+=(1.36); fi
if [ -n "$force" ] || ! installed "$upstream/1.32" "${PACKAGES_1_32[@]}"; then need+=(1.32); fi
[ "${#need[@]}" -gt 0 ] || exit 0

for tool in apt-get dpkg-deb sha256sum; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "proto/install.sh: '$tool' is not installed. This script needs a Debian or Ubuntu machine;" >&2
    echo "elsewhere, point KUBETCD_K8S_SOURCES at folders holding k8s.io/api and k8s.io/apimachinery" >&2
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

# The Debian archive: $KUBETCD_DEBIAN_MIRROR, else the one this machine's apt sources use.
# shellcheck source=../scripts/private-apt.sh
source "$here/../scripts/private-apt.sh"
MIRROR=$(debian_mirror)
if [ -z "$MIRROR" ]; then
  echo "proto/install.sh: found no Debian archive in this machine's apt sources." >&2
  echo "Set KUBETCD_DEBIAN_MIRROR to a Debian archive URL, or KUBETCD_K8S_SOURCES (see proto/README.md)." >&2
  exit 1
fi

# install_version LABEL SUITES PACKAGE...: downloads, checks and unpacks one version into
# proto/upstream/LABEL, replacing what was there.
install_version() {
  local label=$1 suites=$2
  shift 2
  local dest="$upstream/$label"
  local work="$dest/apt" root="$dest/root" stamp="$dest/installed.txt"
  local specs=() p
  for p in "$@"; do specs+=("${p%% *}"); done
  rm -rf "$work" "$root" "$stamp"
  mkdir -p "$dest"
  echo "kubetcd: downloading Kubernetes $label API sources (Debian $suites: ${specs[*]})" >&2
  if ! private_apt_download "$work" "$suites" "$MIRROR" "${specs[@]}"; then
    echo "proto/install.sh: is $MIRROR reachable? If Debian $suites no longer carries these versions," >&2
    echo "set KUBETCD_K8S_SOURCES instead (proto/README.md)." >&2
    exit 1
  fi
  {
    echo "# Installed by proto/install.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ) from Debian $suites ($MIRROR)"
    echo "kubernetes $label"
    if ! private_apt_unpack "$work" "$root" "$@"; then
      echo "proto/install.sh: delete $dest and try again." >&2
      exit 1
    fi
    echo "fingerprint $(fingerprint_of "$@")"
  } >"$stamp.tmp"
  rm -rf "$work"
  mv "$stamp.tmp" "$stamp"
  echo "kubetcd: Kubernetes $label API sources installed in $root/usr/share/gocode/src" >&2
}

for label in "${need[@]}"; do
  case "$label" in
    1.36) install_version 1.36 "$SUITES_1_36" "${PACKAGES_1_36[@]}" ;;
    1.32) install_version 1.32 "$SUITES_1_32" "${PACKAGES_1_32[@]}" ;;
  esac
done
