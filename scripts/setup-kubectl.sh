#!/usr/bin/env bash
# Installs kubectl 1.36.4, whose own printers are the reference for `kubetcd get -o json|yaml` and
# toKubectlJson()/toKubectlYaml(): Debian sid's kubectl 1.36.4+ds-1 (amd64, one static binary),
# downloaded with apt under a private configuration (scripts/private-apt.sh: own sources, lists and
# cache, empty dpkg status), checked against the SHA-256 sum pinned below and unpacked with dpkg-deb into
# .cache/kubectl/ (git-ignored). Nothing is installed system-wide; the machine's apt sources, lists and
# packages are left untouched.
#
#   bash scripts/setup-kubectl.sh            install if missing (quiet and instant when installed)
#   bash scripts/setup-kubectl.sh --force    download and unpack again
#
# Afterwards: .cache/kubectl/usr/bin/kubectl (test/helpers/kubectl.ts). Tests run it with
# KUBECONFIG=/dev/null and --local only: it never talks to a server.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$repo/.cache/kubectl"
stamp="$dest/installed.txt"

# package=version sha256 — the exact file, Debian sid, amd64.
PACKAGES=(
  "kubectl=1.36.4+ds-1 407dad9ec755a64ef8c96dd2f5c0c093f9d334193c91cc0ce8424928cd5734d3"
)
SUITE=${KUBETCD_DEBIAN_SID_SUITE:-sid}

fail() {
  echo "scripts/setup-kubectl.sh: $1" >&2
  shift
  local line
  for line in "$@"; do echo "  $line" >&2; done
  exit 1
}

fingerprint=$(printf '%s\n' "${PACKAGES[@]}" | sha256sum | cut -c1-16)

force=
case "${1:-}" in
  "") ;;
  --force) force=1 ;;
  *) fail "unknown argument '$1'." "Usage: bash scripts/setup-kubectl.sh [--force]" ;;
esac

installed() {
  [ -f "$stamp" ] && grep -qx "fingerprint $fingerprint" "$stamp" && [ -x "$dest/usr/bin/kubectl" ]
}
if [ -z "$force" ] && installed; then exit 0; fi

say() { echo "kubetcd kubectl: $*" >&2; }

# shellcheck source=private-apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"

private_apt_preflight "kubectl" "the pinned kubectl 1.36.4 package is" kubectl

work="$dest.apt"
rm -rf "$work" "$dest"
specs=()
for p in "${PACKAGES[@]}"; do specs+=("${p%% *}"); done
say "downloading ${specs[*]} from Debian $SUITE ($mirror)"
private_apt_download "$work" "$SUITE" "$mirror" "${specs[@]}" ||
  fail "the download failed (above)." \
    "Is $mirror reachable? Set KUBETCD_DEBIAN_MIRROR to another Debian archive if not. If Debian $SUITE" \
    "no longer carries kubectl 1.36.4+ds-1, update PACKAGES in this script (version and SHA-256 sum)."
{
  echo "# Unpacked by scripts/setup-kubectl.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ) from Debian $SUITE ($mirror)"
  private_apt_unpack "$work" "$dest" "${PACKAGES[@]}" ||
    fail "the package is not the pinned file (above)." "Run: bash scripts/setup-kubectl.sh --force"
  echo "fingerprint $fingerprint"
} >"$work/installed.txt"
[ -x "$dest/usr/bin/kubectl" ] || fail "the unpacked package has no usr/bin/kubectl." "Run: bash scripts/setup-kubectl.sh --force"
version=$(KUBECONFIG=/dev/null "$dest/usr/bin/kubectl" version --client 2>&1) ||
  fail "$dest/usr/bin/kubectl does not run on this machine: $version" "Run: bash scripts/setup-kubectl.sh --force"
version=${version%%$'\n'*}
mv "$work/installed.txt" "$stamp"
rm -rf "$work"
say "ready: $dest/usr/bin/kubectl ($version)"
