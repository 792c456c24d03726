# Sourced by proto/install.sh, scripts/setup-reference.sh, setup-etcd35.sh and setup-kubectl.sh (not run on its own): apt under a private
# configuration — its own sources list, lists and cache, and an empty dpkg status — so the machine's
# apt sources, package lists and installed packages stay untouched.

# debian_mirror: prints the Debian archive to download from — $KUBETCD_DEBIAN_MIRROR when set, else the
# main archive this machine's own apt sources already use (the first non-security Debian URI in
# /etc/apt/sources.list and sources.list.d, deb822 or one-line format); prints nothing if none.
debian_mirror() {
  if [ -n "${KUBETCD_DEBIAN_MIRROR:-}" ]; then
    echo "$KUBETCD_DEBIAN_MIRROR"
    return
  fi
  local f
  {
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      awk 'tolower($1)=="uris:" { for (i = 2; i <= NF; i++) print $i }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -f "$f" ] || continue
      awk '$1=="deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' "$f"
    done
  } | grep -i '/debian/*$' | grep -vi security | head -n 1 || true
}

# private_apt_preflight WHAT PINNED PACKAGE: checks that this machine can fetch pinned amd64 Debian
# packages (apt-get, dpkg-deb, sha256sum, amd64, Debian's archive keys, a Debian archive to use) and sets
# `mirror`; on a problem calls the caller's `fail` with what to do. WHAT names what is fetched ("etcd 3.5"),
# PINNED the pinned packages ("the pinned etcd 3.5.30 packages are"), PACKAGE one to look up with apt-cache.
private_apt_preflight() {
  local what=$1 pinned=$2 package=$3 tool arch
  for tool in apt-get dpkg-deb sha256sum; do
    command -v "$tool" >/dev/null 2>&1 ||
      fail "'$tool' is not installed." "This script needs a Debian or Ubuntu machine ($what comes as Debian packages)."
  done
  arch=$(dpkg --print-architecture 2>/dev/null || echo unknown)
  [ "$arch" = amd64 ] ||
    fail "this machine's architecture is '$arch'; $pinned amd64." \
      "Add the $arch SHA-256 sums to PACKAGES in this script (apt-cache show $package under the private" \
      "configuration of scripts/private-apt.sh prints them)."
  [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] ||
    fail "/usr/share/keyrings/debian-archive-keyring.gpg is missing." \
      "Install Debian's archive keys: apt-get install debian-archive-keyring"
  mirror=$(debian_mirror)
  [ -n "$mirror" ] ||
    fail "found no Debian archive in this machine's apt sources." \
      "Set KUBETCD_DEBIAN_MIRROR to a Debian archive URL and run this script again."
}

# private_apt_download WORK SUITE MIRROR PACKAGE=VERSION...: downloads the .deb files into
# WORK/cache/archives with a private apt configuration in WORK (signed by the machine's
# debian-archive-keyring). On failure prints apt's log to stderr and returns 1 (the caller says what to do).
private_apt_download() {
  local work=$1 suite=$2 mirror=$3
  shift 3
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  mkdir -p "$work/sources" "$work/prefs" "$work/lists/partial" "$work/cache/archives/partial"
  cat >"$work/sources/kubetcd.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: $suite
Components: main
Signed-By: $keyring
SOURCES
  local apt_opts=(
    -o "Dir::Etc::SourceList=/dev/null"
    -o "Dir::Etc::SourceParts=$work/sources"
    -o "Dir::Etc::Preferences=/dev/null"
    -o "Dir::Etc::PreferencesParts=$work/prefs"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache=$work/cache"
    -o "Dir::State::status=/dev/null"
    -o "Debug::NoLocking=1"
    -o "APT::Sandbox::User=root"
    -o "Acquire::Retries=3"
  )
  if ! apt-get "${apt_opts[@]}" update >"$work/update.log" 2>&1; then
    cat "$work/update.log" >&2
    echo "'apt-get update' for Debian $suite from $mirror failed (log above)." >&2
    return 1
  fi
  if ! (cd "$work/cache/archives" && apt-get "${apt_opts[@]}" download "$@" >"$work/download.log" 2>&1); then
    cat "$work/download.log" >&2
    echo "downloading $* from Debian $suite failed (log above)." >&2
    return 1
  fi
}

# private_apt_unpack WORK ROOT "PACKAGE=VERSION SHA256"...: checks each downloaded .deb against its
# pinned SHA-256 and unpacks it into ROOT with dpkg-deb -x; prints "package NAME VERSION sha256 SUM"
# lines. On a mismatch prints why to stderr and returns 1 without unpacking that file.
private_apt_unpack() {
  local work=$1 root=$2
  shift 2
  local p spec sum name version file got
  mkdir -p "$root"
  for p in "$@"; do
    spec=${p%% *}
    sum=${p##* }
    name=${spec%%=*}
    version=${spec#*=}
    # apt names the file <name>_<version with ':' escaped>_<arch>.deb
    file=$(ls "$work/cache/archives/${name}_"*.deb)
    got=$(sha256sum "$file" | cut -d' ' -f1)
    if [ "$got" != "$sum" ]; then
      echo "$file has SHA-256 $got, expected $sum: the download is not the pinned file; refusing to use it." >&2
      return 1
    fi
    dpkg-deb -x "$file" "$root"
    echo "package $name $version sha256 $sum"
  done
}
