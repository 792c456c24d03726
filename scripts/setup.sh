#!/usr/bin/env bash
# Installs everything kubetcd's tests, benchmarks and notebooks need on a Debian machine, and does
# nothing when it is all there already. Called by `npm test` and `npm run demo`.
#   - npm packages (npm ci when node_modules is missing or older than package-lock.json)
#   - Debian's etcd-server and etcd-client (apt-get install, when `etcd` is not on PATH)
#   - etcd 3.5.30 from Debian sid into .cache/etcd-3.5 (scripts/setup-etcd35.sh)
#   - kubectl 1.36.4 from Debian sid into .cache/kubectl (scripts/setup-kubectl.sh; the -o json/yaml reference)
#   - Debian's jupyter-notebook, jupyter-nbconvert, python3-nbclient, python3-venv and chromium (notebooks,
#     browser test)
#   - JupyterLab 4.6 and Notebook 7.6 in a project-local virtual environment, .cache/jupyter-venv
#     (scripts/setup-jupyter.sh; the browser test opens the display notebook in them and in classic Notebook)
#   - the Kubernetes API sources the schema is compiled from, 1.36 and 1.32 (proto/install.sh)
#   - the Go reference serializers, Kubernetes 1.36 (Go 1.26, sid) and 1.32 (Go 1.24, trixie), into
#     .cache/reference-1.36 and .cache/reference-1.32 (scripts/setup-reference.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "kubetcd setup: $*" >&2; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund >&2
fi

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
      say "cannot install Debian packages $* without root. Run as root: apt-get install -y $*"
      exit 1
    fi
  else SUDO=; fi
  if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2; then
    say "apt-get install failed; refreshing package lists and trying again"
    $SUDO apt-get update >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2
  fi
}

if ! command -v etcd >/dev/null 2>&1 || ! command -v etcdctl >/dev/null 2>&1; then
  say "installing Debian's etcd-server and etcd-client"
  apt_install etcd-server etcd-client
fi

# Notebooks: Jupyter Notebook and nbclient for /usr/bin/python3 (the headless runner, the demo), Chromium
# for the browser test: Debian's packages. JupyterLab and Notebook 7 come after, from pip's configured index.
notebook_packages=()
[ -x /usr/bin/jupyter-notebook ] || notebook_packages+=(jupyter-notebook)
[ -x /usr/bin/jupyter-nbconvert ] || notebook_packages+=(jupyter-nbconvert)
/usr/bin/python3 -c 'import nbclient' >/dev/null 2>&1 || notebook_packages+=(python3-nbclient)
[ -x /usr/bin/chromium ] || notebook_packages+=(chromium)
/usr/bin/python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || notebook_packages+=(python3-venv)
if [ "${#notebook_packages[@]}" -gt 0 ]; then
  say "installing Debian's ${notebook_packages[*]}"
  apt_install "${notebook_packages[@]}"
fi

bash scripts/setup-etcd35.sh
bash scripts/setup-kubectl.sh
bash proto/install.sh
bash scripts/setup-reference.sh
bash scripts/setup-jupyter.sh
