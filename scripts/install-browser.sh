#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (playwright-core drives it; no browser download needed), and the
# Chinese fonts both the browser and the server need (volunteer certificates are drawn on the server: without a CJK
# font their text comes out as boxes).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; then
  echo "chromium: $(chromium --version 2>/dev/null || echo present); Chinese fonts present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null
echo "chromium: $(chromium --version)"
