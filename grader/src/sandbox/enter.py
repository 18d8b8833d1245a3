"""Starts one kernel inside the grader's sandbox (run by kernel-runner.py as
the kernel's launch command, so Jupyter's own process management applies).

Usage: python3 enter.py outer CONFIG.json CONNECTION_FILE -- ARGV...
       (outer re-executes itself as: unshare ... python3 enter.py inner ...)

outer  joins the kernel's cgroups (so everything it starts is counted and can
       be killed at once), ignores SIGINT (Jupyter interrupts the whole process
       group; only the kernel must see it), and enters new mount, IPC, PID and
       network namespaces through util-linux unshare.
inner  is PID 1 of the new PID namespace: it brings up the loopback
       interface of the new network namespace (the kernel's own 127.0.0.1
       and ::1, and nothing else: no other interface, no route out), mounts
       a private /dev/shm and /tmp (size-limited tmpfs), hides the paths the submission must not
       read (instructor sources, .git, results), hands the connection file to
       the sandbox user, sets resource limits, then forks the kernel as that
       user and reaps orphans until it exits. When PID 1 exits the kernel
       kills every process of the namespace, and the IPC namespace (System V
       objects, message queues) and the private tmpfs mounts vanish with it.

CONFIG keys: cgroups (list of cgroup.procs files), unshare (list of flags),
uid, gid (null: keep), workdir, hide (list of paths), keep (paths under /tmp
that stay visible through the private /tmp), shm_bytes, tmp_bytes,
rlimits ({name: value}), env ({name: value}).
"""

import fcntl
import json
import os
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys


def outer(config, conn, argv):
    for procs in config["cgroups"]:
        with open(procs, "w") as handle:
            handle.write(str(os.getpid()))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited through exec
    inner = [sys.executable, os.path.abspath(__file__), "inner", sys.argv[2], conn, "--", *argv]
    if not config["unshare"]:
        os.execv(sys.executable, inner)
    unshare = shutil.which("unshare") or "/usr/bin/unshare"
    os.execv(unshare, [unshare, *config["unshare"], "--fork", "--kill-child", "--", *inner])


def mount(*args):
    subprocess.run(["mount", *args], check=True, stdout=subprocess.DEVNULL)


def private_tmp(config):
    """A size-limited tmpfs over /tmp. Paths under /tmp listed in `keep` are
    bound back in from descriptors opened before the tmpfs covered them."""
    kept = [
        (path, os.open(path, os.O_PATH | os.O_DIRECTORY))
        for path in sorted(set(map(os.path.realpath, config.get("keep", []))))
        if (path + "/").startswith("/tmp/") and os.path.isdir(path)
    ]
    mount("-t", "tmpfs", "-o", f"size={config['tmp_bytes']},mode=1777,nosuid,nodev", "tmpfs", "/tmp")
    for path, fd in kept:
        os.makedirs(path, exist_ok=True)
        # --no-canonicalize: mount(8) would resolve the magic link to the
        # (now covered) path name; the kernel follows it to the real directory.
        subprocess.run(["mount", "--no-canonicalize", "--bind", f"/proc/self/fd/{fd}", path], check=True, pass_fds=(fd,))
        os.close(fd)


def isolate(config):
    """Mounts of this mount namespace only (private propagation)."""
    flags = config["unshare"]
    if "--mount" not in flags:
        return
    mount("-t", "tmpfs", "-o", f"size={config['shm_bytes']},mode=1777,nosuid,nodev", "tmpfs", "/dev/shm")
    if os.path.isdir("/dev/mqueue") and "--ipc" in flags:
        mount("-t", "mqueue", "mqueue", "/dev/mqueue")
    workdir = os.path.realpath(config["workdir"])
    if not (workdir + "/").startswith("/tmp/"):
        private_tmp(config)
    for path in config["hide"]:
        path = os.path.realpath(path)  # a link is hidden where it leads
        if os.path.isdir(path):
            mount("-t", "tmpfs", "-o", "size=4k,mode=0555,ro", "tmpfs", path)
        elif os.path.exists(path):
            mount("--bind", "/dev/null", path)


SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def loopback_up():
    """A new network namespace has only `lo`, and it is down: set IFF_UP
    (what `ip link set lo up` does), so the submission can listen on and
    connect to 127.0.0.1 / ::1 of its own namespace, and reach nothing else."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh14x", b"lo", 0)
        flags = struct.unpack("16sh14x", fcntl.ioctl(sock.fileno(), SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock.fileno(), SIOCSIFFLAGS, struct.pack("16sh14x", b"lo", flags | IFF_UP))


def limits(config):
    for name, value in config["rlimits"].items():
        number = getattr(resource, f"RLIMIT_{name.upper()}")
        resource.setrlimit(number, (value, value))


def inner(config, conn, argv):
    if "--net" in config["unshare"]:
        loopback_up()
    isolate(config)
    workdir = config["workdir"]
    uid, gid = config["uid"], config["gid"]
    # The kernel reads its ports and HMAC key from a copy it owns.
    private = os.path.join(workdir, "connection.json")
    shutil.copyfile(conn, private)
    if uid is not None:
        os.chown(private, uid, gid)
    argv = [private if arg == conn else arg for arg in argv]
    pid = os.fork()
    if pid == 0:
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            limits(config)
            if uid is not None:
                os.setgroups([])
                os.setgid(gid)
                os.setuid(uid)
            os.chdir(workdir)
            env = dict(config["env"])
            os.execve(argv[0], argv, env)
        except BaseException as error:  # noqa: BLE001 - report, then die
            print(f"sandbox: cannot start the kernel: {error}", file=sys.stderr)
            os._exit(127)
    status = 0
    while True:
        try:
            child, code = os.wait()
        except ChildProcessError:
            break
        if child == pid:
            status = os.waitstatus_to_exitcode(code)
            break
    sys.exit(status if status >= 0 else 128 - status)


def main():
    stage, config_file, conn = sys.argv[1:4]
    argv = sys.argv[sys.argv.index("--") + 1 :]
    with open(config_file) as handle:
        config = json.load(handle)
    (outer if stage == "outer" else inner)(config, conn, argv)


if __name__ == "__main__":
    main()
