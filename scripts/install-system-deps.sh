#!/usr/bin/env bash
# System packages the course and its tests need beyond Node, Python and a C
# compiler: Chromium and Hangul fonts for the browser tests, strace for
# tracing system calls, rpcbind for the RPC chapter. Idempotent and quiet:
# installs only what is missing. Run by .ci/run, and by the test suite's
# global setup (test/setup/system-deps.ts) before any test file.
set -euo pipefail
need=()
command -v cc >/dev/null && command -v c++ >/dev/null && command -v make >/dev/null || need+=(build-essential)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
[ -x /usr/bin/chromium ] || need+=(chromium)
# grep -q would stop reading early: fc-list then dies of SIGPIPE, which pipefail counts.
fc-list 2>/dev/null | grep -i "noto sans cjk" >/dev/null || need+=(fonts-noto-cjk)
command -v strace >/dev/null || need+=(strace)
[ -x /usr/sbin/rpcbind ] || [ -x /sbin/rpcbind ] || need+=(rpcbind)
# Chapter 09's C peers: the system's rpcgen and libtirpc; its tests: ip netns, nsenter.
command -v rpcgen >/dev/null || need+=(rpcsvc-proto)
[ -f /usr/include/tirpc/rpc/rpc.h ] || need+=(libtirpc-dev)
command -v ip >/dev/null || need+=(iproute2)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt's output only when it fails.
if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-system-deps: apt-get failed" >&2
  exit 1
fi
