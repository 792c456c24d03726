# Sourced by proto/install.sh and scripts/setup-reference.sh (not run on its own).
#
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
