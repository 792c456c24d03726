#!/usr/bin/env bash
# Builds the reference serializer kubetcd's decoder and encoder are tested against: a small Go program
# (test/conformance/reference/main.go, plus generate.go: objects for the conformance tests) linked with Kubernetes' OWN serializers — the protobuf serializer
# kube-apiserver writes etcd values with and the JSON serializer it prints with — over client-go's
# scheme (every built-in group). Go 1.24 and the Kubernetes 0.32.3 libraries come from Debian trixie
# as pinned packages, downloaded with apt under a private configuration (own sources, lists, cache,
# empty dpkg status), checked against pinned SHA-256 sums and unpacked with dpkg-deb into
# .cache/reference/ (git-ignored). The machine's apt sources, lists and installed packages are left
# untouched; nothing is fetched from a Go module proxy.
#
#   bash scripts/setup-reference.sh            build if missing or out of date (quiet when up to date)
#   bash scripts/setup-reference.sh --force    download, unpack and build again
#
# Afterwards: .cache/reference/bin/kubetcd-reference (used by test/helpers/reference.ts).
# Layout: .cache/reference/{root,gopath,gocache,config,bin}; root = the unpacked packages, gopath =
# our /vN import-path symlinks, gocache = Go's build cache, config = Go's user config (telemetry
# counters), so nothing is written outside .cache/reference.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$repo/.cache/reference"
root="$dest/root"
gopath="$dest/gopath"
bin="$dest/bin/kubetcd-reference"
src_dir="$repo/test/conformance/reference"
main_go="$src_dir/main.go"
pkg_stamp="$dest/installed.txt"
bin_stamp="$dest/bin/inputs.txt"

# package=version sha256 — the exact files, Debian trixie. Only the compiler is architecture-specific
# (amd64 below); the rest is Go source.
PACKAGES=(
  "golang-1.24-go=1.24.4-1 93c6c109bbc0f1d55523282a16739d10634499c04f6d066a6aa58b67b687a44f"
  "golang-1.24-src=1.24.4-1 c396bc2c2e94606e0a060cff52b9bbbf1d7cefacb040eb3c40a55604111e66e1"
  "golang-k8s-api-dev=0.32.3-1 f7b52c32b3522bf8c6ccc7c9645d01c87cbee31ab22de2a92de56fac3e4dd772"
  "golang-k8s-apimachinery-dev=0.32.3-2 7b83b05ec2fd0bf6f1db8a2b0c0dcbfbdd5ec555210ea5c4dc09575346fdf2f6"
  "golang-k8s-client-go-dev=0.32.3-2 e011bd3035b6d4c93bff39fff54ad2842639d31c655a1393c59a8d5137fb5cb8"
  "golang-k8s-klog-dev=2.130.1-1 695e4ed297b76778523ab183a36940c3c4a26b74708e5e02bbf177c5dae050c4"
  "golang-k8s-utils-dev=0.0~git20250321.1f6e0b7-1 947e38517be063c63236a4ed51cd616b82f12710b65a4338bcd742d8e496d788"
  "golang-k8s-sigs-json-dev=0.0~git20241014.cfa47c3-1 a82f882a7e21c9f70c67339ab86453ee9dd5e27306413db55506654cad7e71af"
  "golang-k8s-sigs-yaml-dev=1.4.0-2 a89ece6474445d790e564e9b34734de94b6f717552618bc151cac1b5493db9fa"
  "golang-k8s-sigs-structured-merge-diff-dev=4.6.0-3 70a038d0b5013d7baba2849ad4e32d962a8b1cce5888d7fcd0ee9d711e977d11"
  "golang-github-fxamacker-cbor-dev=2.8.0-1 e2f0cee67979e5f6a068d85f9e01583469bf1d0d3735ee6ff6b71fada81b1088"
  "golang-github-go-logr-logr-dev=1.4.2-2 5b8b1657114d514556dab93e9557203e9b5dacd17d0310279c32090aefe97bc3"
  "golang-github-gogo-protobuf-dev=1.3.2-3 8a4647e0b1d90ec2a2e537ee1921df033a837971b51318bab15a896d6fc5a803"
  "golang-github-google-gofuzz-dev=1.2.0-1 fa0dadedc7de220cfede8954153643208e7a6d935562f9ed3e7d0d5aab00935a"
  "golang-github-json-iterator-go-dev=1.1.12-2 fa56435bda7d40f5565636b8ce361e63f6ec73a17e5af4c4734add1feca237f9"
  "golang-github-modern-go-concurrent-dev=1.0.3-1.1 d49fedf2c7a250b2e7b720d37539995a78964b66a61327f466c67a94bab82999"
  "golang-github-modern-go-reflect2-dev=1.0.2-2 af150a5172cf4c19bb321a53e67103e7fb18d07c1baa1e816a235155265d3948"
  "golang-github-x448-float16-dev=0.8.4-3 4083f6b824ce95ff58626c14598209c464f0194fbcf840170e645411a0c4f91d"
  "golang-golang-x-net-dev=1:0.27.0-2 1f7576dfed2b293220186dd8a9c5c97b0858334ad67a700eb8569252b97ff395"
  "golang-golang-x-text-dev=0.22.0-1 00fd442cb79b6a344a3222b11d4c71f3c6b13d3cc9c55901e343fbbb9970147c"
  "golang-gopkg-inf.v0-dev=0.9.1-2 54d17e79a2e01ac94edec1659148853e767b551c778004b77d116e483005c100"
)
SUITE=${KUBETCD_DEBIAN_SUITE:-trixie}

fail() {
  echo "scripts/setup-reference.sh: $1" >&2
  shift
  local line
  for line in "$@"; do echo "  $line" >&2; done
  exit 1
}

[ -f "$main_go" ] || fail "$main_go is missing." "It is part of the repository; restore it from git."

pkg_fingerprint=$(printf '%s\n' "${PACKAGES[@]}" | sha256sum | cut -c1-16)
# Every .go file of the program's folder (main.go, generate.go), by name and content.
main_fingerprint=$(cd "$src_dir" && sha256sum ./*.go | sha256sum | cut -c1-16)
script_fingerprint=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)
want_inputs="packages $pkg_fingerprint main.go $main_fingerprint script $script_fingerprint"

force=
case "${1:-}" in
  "") ;;
  --force) force=1 ;;
  *) fail "unknown argument '$1'." "Usage: bash scripts/setup-reference.sh [--force]" ;;
esac

# Up to date: the binary exists and was built from these package pins, these .go files and this script
# (which holds the build flags).
if [ -z "$force" ] && [ -x "$bin" ] && [ -f "$bin_stamp" ] && [ "$(cat "$bin_stamp")" = "$want_inputs" ]; then
  exit 0
fi

say() { echo "kubetcd reference: $*" >&2; }
started=$(date +%s)

# ---------------------------------------------------------------------------------------------
# 1. Download and unpack the pinned packages (skipped when the same pins are already unpacked).

# The Debian archive: $KUBETCD_DEBIAN_MIRROR, else the one this machine's apt sources use.
# shellcheck source=private-apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"

install_packages() {
  local tool
  for tool in apt-get dpkg-deb sha256sum; do
    command -v "$tool" >/dev/null 2>&1 ||
      fail "'$tool' is not installed." \
        "This script needs a Debian or Ubuntu machine (it downloads Go and the Kubernetes libraries" \
        "as Debian packages). Run the conformance tests on such a machine, or in a Debian container."
  done
  local arch
  arch=$(dpkg --print-architecture 2>/dev/null || echo unknown)
  [ "$arch" = amd64 ] ||
    fail "this machine's architecture is '$arch'; the pinned Go compiler package is amd64." \
      "Add the golang-1.24-go=1.24.4-1 SHA-256 for $arch to PACKAGES in this script" \
      "(apt-cache show golang-1.24-go under the private configuration below prints it)."
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [ -f "$keyring" ] ||
    fail "$keyring is missing." "Install Debian's archive keys: apt-get install debian-archive-keyring"

  local mirror
  mirror=$(debian_mirror)
  [ -n "$mirror" ] ||
    fail "found no Debian archive in this machine's apt sources." \
      "Set KUBETCD_DEBIAN_MIRROR to a Debian archive URL and run this script again."

  local work="$dest/apt"
  rm -rf "$work" "$root" "$gopath" "$pkg_stamp"
  local specs=() p
  for p in "${PACKAGES[@]}"; do specs+=("${p%% *}"); done
  say "downloading Go 1.24 and the Kubernetes 0.32.3 libraries (${#PACKAGES[@]} Debian $SUITE packages from $mirror)"
  private_apt_download "$work" "$SUITE" "$mirror" "${specs[@]}" ||
    fail "the download failed (above)." \
      "Is $mirror reachable? Set KUBETCD_DEBIAN_MIRROR to another Debian archive if not. If Debian $SUITE" \
      "no longer carries one of these versions, update PACKAGES in this script (versions and SHA-256 sums)."

  {
    echo "# Unpacked by scripts/setup-reference.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ) from Debian $SUITE ($mirror)"
    private_apt_unpack "$work" "$root" "${PACKAGES[@]}" ||
      fail "a package is not the pinned file (above)." "Run with --force to download again."
    echo "fingerprint $pkg_fingerprint"
  } >"$pkg_stamp.tmp"
  rm -rf "$work"
  mv "$pkg_stamp.tmp" "$pkg_stamp"
}

if [ -n "$force" ] || [ ! -f "$pkg_stamp" ] || ! grep -qx "fingerprint $pkg_fingerprint" "$pkg_stamp"; then
  install_packages
fi

# ---------------------------------------------------------------------------------------------
# 2. GOROOT and GOPATH.

goroot="$root/usr/lib/go-1.24"
gocode="$root/usr/share/gocode"
[ -x "$goroot/bin/go" ] && [ -d "$gocode/src/k8s.io/client-go" ] ||
  fail "the unpacked packages in $root are incomplete." "Run: bash scripts/setup-reference.sh --force"

# Debian's Go package links GOROOT's parts to absolute /usr/share/go-1.24 paths; point them into our root.
for link in "$goroot"/*; do
  [ -L "$link" ] || continue
  target=$(readlink "$link")
  case "$target" in
    /*) ln -sfn "$root$target" "$link" ;;
  esac
done

# GOPATH mode does not map an import path ending in /vN to Debian's unversioned folder: for every
# unpacked module whose go.mod names such a path, link <gopath>/src/<module path> to its folder.
mkdir -p "$gopath/src"
while IFS= read -r mod; do
  dir=${mod%/go.mod}
  rel=${dir#"$gocode/src/"}
  module=$(awk '$1=="module" { gsub(/"/, "", $2); print $2; exit }' "$mod")
  case "$module" in
    "$rel"/v[0-9]*)
      mkdir -p "$gopath/src/$(dirname "$module")"
      ln -sfn "$dir" "$gopath/src/$module"
      ;;
  esac
done < <(find "$gocode/src" -name go.mod -type f)

# ---------------------------------------------------------------------------------------------
# 3. Build.

mkdir -p "$dest/bin" "$dest/gocache" "$dest/tmp" "$dest/config"
say "building $bin from test/conformance/reference/*.go"
build_started=$(date +%s)
rm -f "$bin_stamp"
if ! (cd "$src_dir" &&
  env -u GOFLAGS -u GOOS -u GOARCH \
    GO111MODULE=off GOPROXY=off GOTOOLCHAIN=local GOENV=off CGO_ENABLED=0 \
    GOROOT="$goroot" GOPATH="$gopath:$gocode" GOCACHE="$dest/gocache" GOTMPDIR="$dest/tmp" \
    XDG_CONFIG_HOME="$dest/config" \
    PATH="$goroot/bin:$PATH" \
    go build -trimpath -o "$bin.tmp" . >"$dest/build.log" 2>&1); then
  cat "$dest/build.log" >&2
  fail "building the reference serializer failed (compiler output above)." \
    "If a .go file there was edited, fix it; if the packages look damaged, run: bash scripts/setup-reference.sh --force"
fi
mv "$bin.tmp" "$bin"
echo "$want_inputs" >"$bin_stamp"
finished=$(date +%s)
say "ready: $bin (build $((finished - build_started)) s, total $((finished - started)) s)"
