#!/usr/bin/env bash
# Gradescope runs this once, as root, on its Ubuntu image, to build the
# autograder: Node 20, Python's venv, a C/C++ toolchain, then the project
# (npm ci builds the native addon, the C programs and the ipc-lab library).
set -euo pipefail
cd "$(dirname "$0")"

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
  ca-certificates curl gnupg build-essential python3 python3-venv python3-pip util-linux procps
if ! node --version 2>/dev/null | grep -Eq '^v(2[0-9]|[3-9][0-9])\.'; then
  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
  apt-get install -y nodejs
fi

npm ci
# The project's Python environment (.venv: jupyter_client, nbformat) for the kernel runner.
node -e 'import("./shared/jupyter.mjs").then((j) => j.ensureVenv())'
