#!/usr/bin/env bash
# Installs Debian's Chromium (and Noto CJK so Hangul renders) for the site's
# browser tests. Idempotent: does nothing once /usr/bin/chromium exists.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y chromium fonts-noto-cjk
