#!/usr/bin/env bash
# Debian packages GovCloud needs, installed only when missing:
#   chromium        browser tests and screenshots (Playwright drives it; no browser is downloaded)
#   fonts-noto-cjk  Chinese text in screenshots and, later, PDFs
#   gettext         compiles the Chinese and English translations
set -euo pipefail
packages=(chromium fonts-noto-cjk gettext)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
