#!/usr/bin/env bash
# Builds the reference serializers kubetcd's decoder and encoder are tested against: a small Go program
# (test/conformance/reference/main.go, plus generate.go: objects for the conformance tests) linked with
# Kubernetes' OWN serializers — the protobuf serializer kube-apiserver writes etcd values with and the
# JSON serializer it prints with — over client-go's scheme (every built-in group). One binary per
# Kubernetes version, from the same .go files:
#   - 1.36 (the main one): Go 1.26 and the Kubernetes 0.36.4 libraries from Debian sid, into
#     .cache/reference-1.36/
#   - 1.32: Go 1.24 and the Kubernetes 0.32.3 libraries from Debian trixie, into .cache/reference-1.32/.
#     Kept for what 1.36 cannot prove: the kinds Kubernetes removed after 1.32 (autoscaling/v2beta1 and
#     v2beta2, scheduling/v1alpha1, storagemigration/v1alpha1, networking/v1alpha1, resource/v1alpha3'
#     DeviceClass, ResourceClaim, ResourceClaimTemplate, ResourceSlice), which kubetcd's 1.32 schema
#     still decodes and encodes.
# The packages are pinned, downloaded with apt under a private configuration (own sources, lists,
# cache, empty dpkg status; scripts/private-apt.sh), checked against pinned SHA-256 sums and unpacked
# with dpkg-deb (git-ignored). The machine's apt sources, lists and installed packages are left
# untouched; nothing is fetched from a Go module proxy.
#
#   bash scripts/setup-reference.sh                  build what is missing or out of date (quiet when up to date)
#   bash scripts/setup-reference.sh --force          download, unpack and build again
#   bash scripts/setup-reference.sh 1.36 [--force]   only that version (1.36 or 1.32)
#
# Afterwards: .cache/reference-<version>/bin/kubetcd-reference (used by test/helpers/reference.ts).
# Layout of each: {root,gopath,gocache,config,tmp,bin}; root = the unpacked packages, gopath = our /vN
# import-path symlinks, gocache = Go's build cache, config = Go's user config (telemetry counters), so
# nothing is written outside .cache/reference-<version>. (.cache/reference, where a single 1.32 build
# used to live, is no longer used; delete it at will.)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src_dir="$repo/test/conformance/reference"
main_go="$src_dir/main.go"

# package=version sha256 — the exact files, per version. Only the compiler is architecture-specific
# (amd64 below); the rest is Go source.
PACKAGES_1_36=(
  "golang-1.26-go=1.26.10-1 497c936cb5050aaeb52021e757aafc8c959248a4c7015615f40390882b76683c"
  "golang-1.26-src=1.26.10-1 c535cfd05d879c7cb2b28577fc9011fe1639d36e957d5077bb5c862b07b87c02"
  "golang-k8s-api-dev=0.36.4-1 0b5f0e6bb3c55edf6a564496c5997b729e0b03c6597891a32dac9b6d71b9e109"
  "golang-k8s-apimachinery-dev=0.36.4-3 020045b2e32576be3350f382133cefaa6342f17ab8df24175667f6882b32925b"
  "golang-k8s-client-go-dev=0.36.4-1 959e75cd6a104d00a7b0262867f5064141a092dfd3ad55915033474c774e628a"
  "golang-k8s-klog-dev=2.140.0-5 49847276d9f75a2ff5c8e24d368a79e79ece289b66c521d4a4fc7976f5eea979"
  "golang-k8s-kube-openapi-dev=0.0~git20260721.d427ff9-1 9490d7b5d6e32490d4b30b7bad208532fbd81174efbf01cf7db68d3259e9965d"
  "golang-k8s-sigs-json-dev=0.0~git20260909.11ed52e-1 3a944d8c2e8497311b54994c9de568353f5a2a5811bd9bd406b54be9e05d8bae"
  "golang-k8s-sigs-randfill-dev=1.0.0-2 581ddefd073dd77fd71b14721efd8940c6475568edeaec22bcc13961553ed054"
  "golang-k8s-sigs-structured-merge-diff-v6-dev=6.4.2-1 f361aa88be07bd6b04349e85d51d140114bfd628f9c993f657542d223adf21fc"
  "golang-k8s-sigs-yaml-dev=1.6.0-1 6feee0cb84f2703a402e88c1fc72cf7b0f58009ad3030fe1fcdfb74a6c1712e1"
  "golang-k8s-utils-dev=0.0~git20260707.cf1189d-1 6f5965ef2384e264e10e8e6bf2ce69b6cbe21e111e9a33d57dcf8bd55ddfce3f"
  "golang-github-fxamacker-cbor-dev=2.9.6-2 deb89810529a8c973a11dc034134e3d5f54894bb82a403277bd4203291c1f2ed"
  "golang-github-go-logr-logr-dev=1.4.4-1 a5a6f929de397e028d0dd87f25101b06a42429c825737c77f9e88401ec04e708"
  "golang-github-json-iterator-go-dev=1.1.12-3 b498b80352c8e6484f7100b118f5684b766cf474d9c8db48fe9f1792a45c3fdf"
  "golang-github-modern-go-concurrent-dev=1.0.3-1.1 d49fedf2c7a250b2e7b720d37539995a78964b66a61327f466c67a94bab82999"
  "golang-github-modern-go-reflect2-dev=1.0.2-2 af150a5172cf4c19bb321a53e67103e7fb18d07c1baa1e816a235155265d3948"
  "golang-github-x448-float16-dev=0.8.4-3 4083f6b824ce95ff58626c14598209c464f0194fbcf840170e645411a0c4f91d"
  "golang-golang-x-net-dev=1:0.62.0-1 eea421f32541dea782ce00241b7d67d0a612e625d431d1881724dff2fc81e1ef"
  "golang-golang-x-text-dev=0.43.0-1 b0114bcb485451026be0e49d5028ab9cfa5074ab2423c76bf924e52bfe648b74"
  "golang-gopkg-inf.v0-dev=0.9.1-2 54d17e79a2e01ac94edec1659148853e767b551c778004b77d116e483005c100"
  "golang-gopkg-yaml.v2-dev=2.4.4-1 348445a2b0d2789668e1e1eaf8a2230aac83cb231a1c513821c221042c621ae3"
)
PACKAGES_1_32=(
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
# Debian suites to find them in (a deb822 Suites line: several are fine; the pinned sums decide).
SUITES_1_36=${KUBETCD_DEBIAN_1_36_SUITES:-sid}
SUITES_1_32=${KUBETCD_DEBIAN_SUITE:-trixie}
GO_1_36=go-1.26
GO_1_32=go-1.24
ALL_VERSIONS=(1.36 1.32)

fail() {
  echo "scripts/setup-reference.sh: $1" >&2
  shift
  local line
  for line in "$@"; do echo "  $line" >&2; done
  exit 1
}
say() { echo "kubetcd reference: $*" >&2; }

force=
versions=()
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    1.36 | 1.32) versions+=("$arg") ;;
    *) fail "unknown argument '$arg'." "Usage: bash scripts/setup-reference.sh [1.36|1.32] [--force]" ;;
  esac
done
[ "${#versions[@]}" -gt 0 ] || versions=("${ALL_VERSIONS[@]}")

[ -f "$main_go" ] || fail "$main_go is missing." "It is part of the repository; restore it from git."

# Every .go file of the program's folder (main.go, generate.go), by name and content.
main_fingerprint=$(cd "$src_dir" && sha256sum ./*.go | sha256sum | cut -c1-16)
script_fingerprint=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)

# shellcheck source=private-apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"

# build VERSION: downloads, unpacks and builds one reference, unless it is up to date.
build() {
  local version=$1 key=${1/./_}
  local -n packages="PACKAGES_$key"
  local -n suites="SUITES_$key"
  local -n go_dir="GO_$key"
  local dest="$repo/.cache/reference-$version"
  local root="$dest/root" gopath="$dest/gopath" bin="$dest/bin/kubetcd-reference"
  local pkg_stamp="$dest/installed.txt" bin_stamp="$dest/bin/inputs.txt"
  local pkg_fingerprint want_inputs
  pkg_fingerprint=$(printf '%s\n' "${packages[@]}" | sha256sum | cut -c1-16)
  want_inputs="packages $pkg_fingerprint main.go $main_fingerprint script $script_fingerprint"

  # Up to date: the binary exists and was built from these package pins, these .go files and this
  # script (which holds the build flags).
  if [ -z "$force" ] && [ -x "$bin" ] && [ -f "$bin_stamp" ] && [ "$(cat "$bin_stamp")" = "$want_inputs" ]; then
    return 0
  fi
  local started
  started=$(date +%s)

  # 1. Download and unpack the pinned packages (skipped when the same pins are already unpacked).
  if [ -n "$force" ] || [ ! -f "$pkg_stamp" ] || ! grep -qx "fingerprint $pkg_fingerprint" "$pkg_stamp"; then
    local mirror
    private_apt_preflight "the Go reference for Kubernetes $version" \
      "the pinned Go compiler package (${packages[0]%% *}) is" "${go_dir/go-/golang-}-go"
    local work="$dest/apt" specs=() p
    rm -rf "$work" "$root" "$gopath" "$pkg_stamp"
    for p in "${packages[@]}"; do specs+=("${p%% *}"); done
    say "$version: downloading Go ${go_dir#go-} and the Kubernetes $version libraries (${#packages[@]} Debian $suites packages from $mirror)"
    private_apt_download "$work" "$suites" "$mirror" "${specs[@]}" ||
      fail "the download failed (above)." \
        "Is $mirror reachable? Set KUBETCD_DEBIAN_MIRROR to another Debian archive if not. If Debian $suites" \
        "no longer carries one of these versions, update PACKAGES_$key in this script (versions and SHA-256 sums)."
    {
      echo "# Unpacked by scripts/setup-reference.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ) from Debian $suites ($mirror)"
      private_apt_unpack "$work" "$root" "${packages[@]}" ||
        fail "a package is not the pinned file (above)." "Run with --force to download again."
      echo "fingerprint $pkg_fingerprint"
    } >"$pkg_stamp.tmp"
    rm -rf "$work"
    mv "$pkg_stamp.tmp" "$pkg_stamp"
  fi

  # 2. GOROOT and GOPATH.
  local goroot="$root/usr/lib/$go_dir" gocode="$root/usr/share/gocode" link target
  [ -x "$goroot/bin/go" ] && [ -d "$gocode/src/k8s.io/client-go" ] ||
    fail "the unpacked packages in $root are incomplete." "Run: bash scripts/setup-reference.sh $version --force"
  # Debian's Go package links GOROOT's parts to absolute /usr/share/go-1.NN paths; point them into our root.
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
  local mod dir rel module
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

  # 3. Build (the version is stamped into the binary: op 'v' answers it).
  mkdir -p "$dest/bin" "$dest/gocache" "$dest/tmp" "$dest/config"
  say "$version: building $bin from test/conformance/reference/*.go"
  local build_started finished
  build_started=$(date +%s)
  rm -f "$bin_stamp"
  if ! (cd "$src_dir" &&
    env -u GOFLAGS -u GOOS -u GOARCH \
      GO111MODULE=off GOPROXY=off GOTOOLCHAIN=local GOENV=off CGO_ENABLED=0 \
      GOROOT="$goroot" GOPATH="$gopath:$gocode" GOCACHE="$dest/gocache" GOTMPDIR="$dest/tmp" \
      XDG_CONFIG_HOME="$dest/config" \
      PATH="$goroot/bin:$PATH" \
      go build -trimpath -ldflags "-X main.kubernetesVersion=$version" \
      -o "$bin.tmp" . >"$dest/build.log" 2>&1); then
    cat "$dest/build.log" >&2
    fail "building the $version reference serializer failed (compiler output above)." \
      "If a .go file there was edited, fix it; if the packages look damaged, run: bash scripts/setup-reference.sh $version --force"
  fi
  mv "$bin.tmp" "$bin"
  echo "$want_inputs" >"$bin_stamp"
  finished=$(date +%s)
  say "$version: ready: $bin (build $((finished - build_started)) s, total $((finished - started)) s)"
}

for v in "${versions[@]}"; do build "$v"; done
