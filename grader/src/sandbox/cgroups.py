"""The kernel's cgroups: a memory limit, a task limit, and one switch that
kills everything inside (cgroup.kill).

cgroup v2 (one hierarchy with the memory and pids controllers) is used when
the grader can create a subtree under /sys/fs/cgroup; otherwise cgroup v1's
memory and pids hierarchies, with the v2 "unified" mount (present on hybrid
systems) for cgroup.kill. What could not be set up is listed in `notes`.
"""

import os
import signal
import time

ROOT = "/sys/fs/cgroup"
PARENT = "ipc-lab-grader"


def write(path, value):
    with open(path, "w") as handle:
        handle.write(str(value))


def read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return ""


def probe():
    """Which layout this machine offers: ("v2", None) / ("v1", unified?) / (None, reason)."""
    if os.geteuid() != 0:
        return None, "not running as root"
    controllers = read(f"{ROOT}/cgroup.controllers").split()
    if {"memory", "pids"} <= set(controllers):
        try:
            os.makedirs(f"{ROOT}/{PARENT}", exist_ok=True)
            write(f"{ROOT}/cgroup.subtree_control", "+memory +pids")
            write(f"{ROOT}/{PARENT}/cgroup.subtree_control", "+memory +pids")
            return "v2", None
        except OSError as error:
            return None, f"cgroup v2 is not writable ({error.strerror})"
    if os.path.isdir(f"{ROOT}/memory") and os.path.isdir(f"{ROOT}/pids"):
        try:
            for controller in ("memory", "pids"):
                os.makedirs(f"{ROOT}/{controller}/{PARENT}", exist_ok=True)
            return "v1", None
        except OSError as error:
            return None, f"cgroup v1 is not writable ({error.strerror})"
    return None, "no cgroup memory and pids controllers"


class Cgroups:
    def __init__(self, name, sandbox):
        self.layout = sandbox["cgroups"]
        self.dirs = []
        self.kill_dir = None
        if self.layout == "v2":
            path = f"{ROOT}/{PARENT}/{name}"
            os.makedirs(path)
            write(f"{path}/memory.max", sandbox["memoryBytes"])
            write(f"{path}/memory.swap.max", 0) if os.path.exists(f"{path}/memory.swap.max") else None
            write(f"{path}/pids.max", sandbox["maxTasks"])
            self.dirs = [path]
            self.kill_dir = path
            self.memory_dir = path
        else:
            memory = f"{ROOT}/memory/{PARENT}/{name}"
            pids = f"{ROOT}/pids/{PARENT}/{name}"
            os.makedirs(memory)
            os.makedirs(pids)
            write(f"{memory}/memory.limit_in_bytes", sandbox["memoryBytes"])
            if os.path.exists(f"{memory}/memory.memsw.limit_in_bytes"):
                try:
                    write(f"{memory}/memory.memsw.limit_in_bytes", sandbox["memoryBytes"])
                except OSError:
                    pass
            write(f"{pids}/pids.max", sandbox["maxTasks"])
            self.dirs = [memory, pids]
            self.memory_dir = memory
            unified = f"{ROOT}/unified"
            if os.path.exists(f"{unified}/cgroup.procs"):
                try:
                    os.makedirs(f"{unified}/{PARENT}/{name}")
                    self.dirs.append(f"{unified}/{PARENT}/{name}")
                    self.kill_dir = f"{unified}/{PARENT}/{name}"
                except OSError:
                    pass

    def procs_files(self):
        return [f"{path}/cgroup.procs" for path in self.dirs]

    def pids(self):
        found = set()
        for path in self.dirs:
            found.update(int(pid) for pid in read(f"{path}/cgroup.procs").split())
        return found

    def kill(self):
        """SIGKILLs every process inside; waits until the cgroups are empty."""
        if self.kill_dir and os.path.exists(f"{self.kill_dir}/cgroup.kill"):
            write(f"{self.kill_dir}/cgroup.kill", 1)
        for _ in range(200):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)

    def oom_kills(self):
        for name in ("memory.events", "memory.oom_control"):
            for line in read(f"{self.memory_dir}/{name}").splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        return 0

    def task_limit_hits(self):
        """How often a fork or thread creation was refused by pids.max."""
        for path in self.dirs:
            for line in read(f"{path}/pids.events").splitlines():
                key, _, value = line.partition(" ")
                if key == "max":
                    return int(value)
        return 0

    def remove(self):
        self.kill()
        for path in self.dirs:
            for _ in range(50):
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
