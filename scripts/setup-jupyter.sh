#!/usr/bin/env bash
# Installs JupyterLab and Notebook 7 (the front ends most users run) into a project-local virtual
# environment, beside Debian's classic Notebook 6.4, so the browser test can open the same executed
# notebook in all three. Nothing is installed system-wide.
#
#   bash scripts/setup-jupyter.sh            install if missing (quiet and instant when installed)
#   bash scripts/setup-jupyter.sh --force    make the environment again
#
# Where: .cache/jupyter-venv (git-ignored), or $KUBETCD_JUPYTER_VENV. Afterwards:
#   <venv>/bin/jupyter-lab (JupyterLab 4.6), <venv>/bin/jupyter-notebook (Notebook 7.6)
# (test/notebook/notebook-fixture.ts: jupyterVenv()).
#
# The packages come from the index pip's configuration names (`pip config list`: index-url, else the
# first extra-index-url), passed as --index-url so pip never waits on an unreachable public index; with
# none configured, pip's default index. $KUBETCD_PIP_INDEX_URL overrides both.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${KUBETCD_JUPYTER_VENV:-$repo/.cache/jupyter-venv}
stamp="$venv/installed.txt"
PYTHON=/usr/bin/python3

# The exact releases; the browser test checks these versions are the ones it talks to.
PACKAGES=(jupyterlab==4.6.4 notebook==7.6.3)

fail() {
  echo "scripts/setup-jupyter.sh: $1" >&2
  shift
  local line
  for line in "$@"; do echo "  $line" >&2; done
  exit 1
}

force=
case "${1:-}" in
  "") ;;
  --force) force=1 ;;
  *) fail "unknown argument '$1'." "Usage: bash scripts/setup-jupyter.sh [--force]" ;;
esac

wanted=$(printf '%s\n' "${PACKAGES[@]}")
if [ -z "$force" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] \
  && [ -x "$venv/bin/jupyter-lab" ] && [ -x "$venv/bin/jupyter-notebook" ]; then
  exit 0
fi

say() { echo "kubetcd setup: $*" >&2; }

"$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1 \
  || fail "$PYTHON cannot make virtual environments (no venv/ensurepip module)." \
    "Install Debian's python3-venv (apt-get install -y python3-venv), then run this script again."

# pip config list prints lines such as  global.extra-index-url='file:///a/simple file:///b/simple'
configured_indexes() {
  "$PYTHON" -m pip config list 2>/dev/null | "$PYTHON" -c '
import shlex, sys
found = {}
for line in sys.stdin:
    key, sep, value = line.strip().partition("=")
    if not sep:
        continue
    name = key.rsplit(".", 1)[-1]
    if name in ("index-url", "extra-index-url"):
        found.setdefault(name, []).extend(shlex.split(value)[0].split() if value else [])
for url in found.get("index-url", []) + found.get("extra-index-url", []):
    print(url)
'
}

index_args=()
if [ -n "${KUBETCD_PIP_INDEX_URL:-}" ]; then
  index_args=(--index-url "$KUBETCD_PIP_INDEX_URL")
else
  mapfile -t indexes < <(configured_indexes || true)
  if [ "${#indexes[@]}" -gt 0 ]; then
    index_args=(--index-url "${indexes[0]}")
    for url in "${indexes[@]:1}"; do index_args+=(--extra-index-url "$url"); done
  fi
fi

say "making $venv with ${PACKAGES[*]} (${index_args[*]:-the default index of pip})"
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$PYTHON" -m venv "$venv"
# (an extra index without a package's folder makes pip warn once per package: not worth showing)
if ! "$venv/bin/pip" install --quiet --disable-pip-version-check "${index_args[@]}" "${PACKAGES[@]}" \
  2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2) >&2; then
  rm -rf "$venv"
  fail "pip could not install ${PACKAGES[*]} into $venv." \
    "pip used: ${index_args[*]:-its default index}. Set KUBETCD_PIP_INDEX_URL to an index holding them, then run this script again."
fi
"$venv/bin/python" -c 'import jupyterlab, notebook; print(jupyterlab.__version__, notebook.__version__)' >/dev/null \
  || fail "the new environment $venv cannot import jupyterlab and notebook." "Run: bash scripts/setup-jupyter.sh --force"
printf '%s\n' "$wanted" >"$stamp"
say "installed $("$venv/bin/python" -c 'import jupyterlab, notebook; print("jupyterlab", jupyterlab.__version__, "notebook", notebook.__version__)')"
