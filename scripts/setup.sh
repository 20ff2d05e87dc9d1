#!/usr/bin/env bash
# Installs the Debian packages gridsync needs to build and test, and nothing
# else. Safe to run again: it only installs what is missing. The reference
# machine is a minimal Debian 12 (bookworm) install with git.
set -euo pipefail

packages=(
  g++ make cmake ninja-build pkg-config ca-certificates
  libboost1.81-dev libboost-json1.81-dev
  libsqlite3-dev libsodium-dev libcereal-dev libgtest-dev
  libxlsxwriter-dev libminizip-dev libexpat1-dev  # office/: .xlsx written and read
  clang-format
  clang libclang-rt-14-dev  # the libFuzzer targets (tests/fuzz, scripts/fuzz.sh)
  python3-nacl sqlite3  # the second client, in Python from the spec (tests/client_py)
  chromium  # the browser tests of the admin console and the field app (tests/browser)
  fonts-noto-cjk  # so Chinese renders in those tests' screenshots (docs/screens/)
)
# Node.js and npm drive those tests; a machine that has them already (from
# any source) keeps its own.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# From the npm registry, each pinned by its package-lock.json: playwright-core
# for the browser tests; pouchdb-node and express-pouchdb, the peer the bench
# measures beside gridsync (tools/peer).
npm_packages() {
  if [ ! -d tests/browser/node_modules/playwright-core ]; then
    echo "setup: installing the browser tests' npm packages"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  fi
  if [ ! -d tools/peer/node_modules/pouchdb-node ] || [ ! -d tools/peer/node_modules/express-pouchdb ]; then
    echo "setup: installing the bench's peer (PouchDB) npm packages"
    (cd tools/peer && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

cd "$(dirname "$0")/.."
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  npm_packages
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "setup: missing packages (${missing[*]}) and not root; run as root or install sudo" >&2
    exit 1
  fi
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
npm_packages
