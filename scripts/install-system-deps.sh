#!/usr/bin/env bash
# System packages the course and its tests need beyond Node, Python and a C
# compiler: Chromium and Hangul fonts for the browser tests. Idempotent; run
# by .ci/run, and by the browser tests themselves when Chromium is missing.
set -euo pipefail
need=()
command -v cc >/dev/null && command -v c++ >/dev/null && command -v make >/dev/null || need+=(build-essential)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "noto sans cjk" || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
