"""Turns the limits the grader asks for into what this machine can enforce,
and says in plain words what it cannot (those notes reach the results)."""

import os
import subprocess

from cgroups import probe

NAMESPACES = ["--mount", "--ipc", "--pid", "--net", "--mount-proc"]


def unshare_flags(notes):
    """Namespaces for the kernel: as root directly, otherwise inside a user
    namespace (where the grader is root of its own little world)."""
    candidates = [NAMESPACES] if os.geteuid() == 0 else [["--user", "--map-root-user", *NAMESPACES]]
    for flags in candidates:
        try:
            done = subprocess.run(["unshare", *flags, "--fork", "true"], capture_output=True, timeout=10)
            if done.returncode == 0:
                return flags
            reason = done.stderr.decode(errors="replace").strip()
        except (OSError, subprocess.TimeoutExpired) as error:
            reason = str(error)
    notes.append(
        "no namespaces (" + reason + "): the submission shares /dev/shm, /tmp, System V IPC and the "
        "network with this machine; its objects are removed by name afterwards"
    )
    return []


def resolve(plan):
    limits, notes = plan["limits"], []
    layout, why = probe()
    if layout is None:
        notes.append(
            f"no cgroups ({why}): memory is limited only for the JavaScript heap "
            f"(--max-old-space-size), not for buffers or child processes"
        )
    flags = unshare_flags(notes)
    uid = plan.get("uid") if os.geteuid() == 0 else None
    if uid is None:
        notes.append("the kernel runs as the grader's own user (not root): it can read what that user can read")
    rlimits = {"core": 0, "nofile": 1024, "fsize": limits["tmpBytes"], "cpu": int(limits["submissionTimeout"]) + 5}
    if uid is not None:
        # Counted per user id (the sandbox's uid is this submission's only).
        # With cgroups, pids.max is the limit that speaks (and is reported):
        # RLIMIT_NPROC stays a little above it, as the backstop.
        rlimits["nproc"] = limits["maxTasks"] + (64 if layout else 0)
    elif layout is None:
        notes.append("the number of processes is not limited (no cgroups, and RLIMIT_NPROC would count all of the user's processes)")
    workdir = plan["workdir"]
    if uid is not None:
        os.chown(workdir, uid, uid)
        # Each phase's kernel runs as its own uid (uid + phase index) in its
        # own subdirectory: this one may only be passed through.
        os.chmod(workdir, 0o711)
        for name in os.listdir(workdir):
            os.lchown(os.path.join(workdir, name), uid, uid)
    return {
        "cgroups": layout,
        "memoryBytes": limits["memoryBytes"],
        "maxTasks": limits["maxTasks"],
        "workdir": workdir,
        "privateDir": plan["privateDir"],
        "enter": {
            "unshare": flags,
            "uid": uid,
            "gid": uid,
            "workdir": workdir,
            "hide": plan["hide"] if flags else [],
            "keep": plan.get("keep", []),
            "shm_bytes": limits["shmBytes"],
            "tmp_bytes": limits["tmpBytes"],
            "rlimits": rlimits,
            "env": plan["env"],
        },
    }, notes
