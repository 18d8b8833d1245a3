#!/usr/bin/env bash
# Mounts the POSIX message-queue file system at /dev/mqueue, where the kernel
# shows every queue as a file (QSIZE, NOTIFY, SIGNO, NOTIFY_PID). mq_open does
# not need it (the kernel has its own mount); listing and leak checks do.
# Idempotent; exits 0 without mounting when it cannot (not root, no mqueue in
# this kernel), so callers may always run it. Used by test/setup/mqueue.ts and .ci/run.
set -u
mountpoint -q /dev/mqueue 2>/dev/null && exit 0
grep -qw mqueue /proc/filesystems 2>/dev/null || { echo "mount-mqueue: no mqueue file system in this kernel" >&2; exit 0; }
sudo=""
[ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null && sudo="sudo -n"; } || { echo "mount-mqueue: not root; run: sudo mount -t mqueue none /dev/mqueue" >&2; exit 0; }
$sudo mkdir -p /dev/mqueue && $sudo mount -t mqueue none /dev/mqueue || echo "mount-mqueue: mount failed" >&2
exit 0
