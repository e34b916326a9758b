#!/usr/bin/env bash
# The one list of Debian packages the test suite needs, installed here for `make test` and `.ci/run`.
#   chromium, fonts-noto-cjk  real-browser tests and their screenshots (Playwright drives Debian's
#                             Chromium; Playwright's own browser download does not work here)
#   redis-server              the shared-cache tests start a private redis-server for the session
#   libreoffice-calc-nogui    one test opens an exported spreadsheet as a Calc user would
#   postgresql-client         pg_isready/psql for the PostgreSQL run in CI
# On Debian/Ubuntu as root, missing packages are installed with apt-get. Elsewhere the script stops
# with the exact command to run and a non-zero exit, so the suite never starts half-equipped.
set -euo pipefail

packages=(chromium fonts-noto-cjk redis-server libreoffice-calc-nogui postgresql-client)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get install -y ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-packages: this machine has no apt-get/dpkg. Install the equivalent of: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-packages: missing Debian packages. Run as root, then run make test again:" >&2
  echo "  sudo apt-get update && sudo $command" >&2
  exit 1
fi
echo "system-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
