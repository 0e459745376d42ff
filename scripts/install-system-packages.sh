#!/usr/bin/env bash
# Debian packages GovCloud needs, installed only when missing:
#   chromium        browser tests and screenshots (Playwright drives it; no browser is downloaded)
#   fonts-noto-cjk  Chinese text in screenshots and, later, PDFs
#   gettext         compiles the Chinese and English translations
#   libpango-1.0-0, libpangoft2-1.0-0   WeasyPrint renders the PDF documents
#   postgresql-client   pg_dump, psql: `manage.py backup` and `restore` on PostgreSQL
#   poppler-utils   pdftotext/pdftoppm, to check PDFs in tests
#   prometheus      the Prometheus collector's tests start a real server (and promtool backfills it);
#                   the package's own service is not needed
#   libvirt-dev, pkg-config   build libvirt-python (the libvirt provisioning driver; its tests use
#                   libvirt's built-in test:///default hypervisor, no daemon needed)
#   nginx           the production-shaped stack's TLS proxy (scripts/stack.sh, .ci/run's stack step;
#                   docs/deployment.md); it runs from a configuration of the stack's own, as the
#                   current user: the package's own service is not needed
#   nodejs, npm     install the pinned front-end packages (only when npm is not already there)
#   python3-venv    creates .venv (only when Python cannot)
#
# --runtime (scripts/setup-production.sh): only what the product needs to run, without the test
# tools (chromium, poppler-utils, prometheus, nginx: in production nginx may run on another machine,
# see docs/deployment.md).
set -euo pipefail
packages=(fonts-noto-cjk gettext libpango-1.0-0 libpangoft2-1.0-0 libvirt-dev pkg-config postgresql-client)
# Tests and CI also need: the browser, PDF tools, Prometheus (collector tests), and for the
# production-shaped stack (scripts/stack.sh) nginx and the PostgreSQL and Redis servers.
[ "${1:-}" = "--runtime" ] || packages+=(chromium poppler-utils prometheus nginx postgresql redis-server)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v python3.11 >/dev/null 2>&1 || missing+=(python3.11)
python3.11 -c "import ensurepip" >/dev/null 2>&1 || missing+=(python3.11-venv)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
