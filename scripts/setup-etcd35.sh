#!/usr/bin/env bash
# Installs etcd 3.5.30 beside the system's etcd 3.4 (Debian bookworm's), so tests can run against both:
# Debian sid's etcd-server and etcd-client 3.5.30-2 (amd64), downloaded with apt under a private
# configuration (scripts/private-apt.sh: own sources, lists and cache, empty dpkg status), checked against
# the SHA-256 sums pinned below and unpacked with dpkg-deb into .cache/etcd-3.5/ (git-ignored). Nothing is
# installed system-wide; the machine's apt sources, lists and packages are left untouched.
#
#   bash scripts/setup-etcd35.sh            install if missing (quiet and instant when installed)
#   bash scripts/setup-etcd35.sh --force    download and unpack again
#
# Afterwards: .cache/etcd-3.5/usr/bin/etcd, .cache/etcd-3.5/usr/bin/etcdctl, .cache/etcd-3.5/usr/bin/etcdutl
# (test/helpers/etcd.ts: etcdBinaries('3.5'), startEtcd({ version: '3.5' })).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$repo/.cache/etcd-3.5"
stamp="$dest/installed.txt"

# package=version sha256 — the exact files, Debian sid, amd64.
PACKAGES=(
  "etcd-server=3.5.30-2 11a4f7e350c5020b83edff5160a6063d4e56ac9cd014d21ce8916378bf96de79"
  "etcd-client=3.5.30-2 1e66ad2aba4cba6842a1ac35d5c525e750102b8fb42748225bcb2e34d6595931"
)
SUITE=${KUBETCD_DEBIAN_SID_SUITE:-sid}

fail() {
  echo "scripts/setup-etcd35.sh: $1" >&2
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
  *) fail "unknown argument '$1'." "Usage: bash scripts/setup-etcd35.sh [--force]" ;;
esac

installed() {
  [ -f "$stamp" ] && grep -qx "fingerprint $fingerprint" "$stamp" &&
    [ -x "$dest/usr/bin/etcd" ] && [ -x "$dest/usr/bin/etcdctl" ] && [ -x "$dest/usr/bin/etcdutl" ]
}
if [ -z "$force" ] && installed; then exit 0; fi

say() { echo "kubetcd etcd 3.5: $*" >&2; }

# shellcheck source=private-apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"

private_apt_preflight "etcd 3.5" "the pinned etcd 3.5.30 packages are" etcd-server

work="$dest.apt"
rm -rf "$work" "$dest"
specs=()
for p in "${PACKAGES[@]}"; do specs+=("${p%% *}"); done
say "downloading ${specs[*]} from Debian $SUITE ($mirror)"
private_apt_download "$work" "$SUITE" "$mirror" "${specs[@]}" ||
  fail "the download failed (above)." \
    "Is $mirror reachable? Set KUBETCD_DEBIAN_MIRROR to another Debian archive if not. If Debian $SUITE" \
    "no longer carries etcd 3.5.30-2, update PACKAGES in this script (versions and SHA-256 sums)."
{
  echo "# Unpacked by scripts/setup-etcd35.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ) from Debian $SUITE ($mirror)"
  private_apt_unpack "$work" "$dest" "${PACKAGES[@]}" ||
    fail "a package is not the pinned file (above)." "Run: bash scripts/setup-etcd35.sh --force"
  echo "fingerprint $fingerprint"
} >"$work/installed.txt"
for b in etcd etcdctl etcdutl; do
  [ -x "$dest/usr/bin/$b" ] || fail "the unpacked packages have no usr/bin/$b." "Run: bash scripts/setup-etcd35.sh --force"
done
version=$("$dest/usr/bin/etcd" --version 2>&1) ||
  fail "$dest/usr/bin/etcd does not run on this machine: $version" "Run: bash scripts/setup-etcd35.sh --force"
version=${version%%$'\n'*}
mv "$work/installed.txt" "$stamp"
rm -rf "$work"
say "ready: $dest/usr/bin/{etcd,etcdctl,etcdutl} ($version)"
