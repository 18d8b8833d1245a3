"""Runs the cells of one submission in sandboxed tslab kernels and reports
each cell on its own: status, output, seconds.

Usage: python3 kernel-runner.py < PLAN.json > REPORT.json

The plan comes on stdin (never on disk, so the hidden tests it may carry
cannot be read by the kernel's user) and holds phases. Each phase runs in a
fresh kernel: first the `prefix` cells (the notebook's non-test cells, i.e.
the locked setup and the student's code), then the `tests`, one by one. A
test's source reaches the kernel only after every prefix cell has finished.
When a test kills its kernel (time limit, memory limit, crash), a fresh
kernel replays the prefix and the next test runs there, so one runaway test
costs only its own points. Everything a kernel started is killed and its
cgroups removed before the next kernel starts.

Exit status: 0 when the report was written (whatever the cells did), 2 when
the sandbox or a kernel could not be started at all.
"""

import asyncio
import json
import os
import shutil
import sys
import time
import uuid

from jupyter_client import AsyncKernelManager
from jupyter_client import connect
from jupyter_client.kernelspec import KernelSpec

from cgroups import Cgroups
from resolve import resolve

HERE = os.path.dirname(os.path.abspath(__file__))


def _make_url(self, channel):
    # tslab binds ipc sockets as "ipc://PATH:PORT"; jupyter_client connects to
    # "ipc://PATH-PORT". Use tslab's spelling (ipc keeps the kernel off the
    # network: it runs in a network namespace of its own).
    port = getattr(self, f"{channel}_port")
    if self.transport == "tcp":
        return f"tcp://{self.ip}:{port}"
    return f"{self.transport}://{self.ip}:{port}"


connect.ConnectionFileMixin._make_url = _make_url


def become_subreaper():
    """Orphans of a kernel (its namespace's init, once unshare is killed)
    become the runner's children, not some ancestor's zombies."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def reap_orphans(wait_seconds=0.0):
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.02)


def log(message):
    print(f"kernel-runner: {message}", file=sys.stderr, flush=True)


class SandboxedKernelManager(AsyncKernelManager):
    """Launches the kernel through enter.py with a spec built here, not one
    installed in a Jupyter data folder."""

    launch = None

    @property
    def kernel_spec(self):
        return self._spec

    def format_kernel_cmd(self, extra_arguments=None):
        return [arg.replace("{connection_file}", self.connection_file) for arg in self.launch]


class Kernel:
    """One kernel in its own cgroups and namespaces."""

    def __init__(self, plan, number, workdir, uid):
        self.plan = plan
        self.sandbox = plan["sandbox"]
        self.workdir = workdir
        self.uid = uid
        self.name = f"{plan['id']}-{number}"
        self.cgroups = Cgroups(self.name, self.sandbox) if self.sandbox.get("cgroups") else None
        self.km = None
        self.kc = None

    async def start(self):
        sandbox = self.sandbox
        workdir = self.workdir
        config = dict(sandbox["enter"], workdir=workdir, uid=self.uid, gid=self.uid)
        config["cgroups"] = self.cgroups.procs_files() if self.cgroups else []
        config_file = os.path.join(sandbox["privateDir"], f"enter-{self.name}.json")
        with open(config_file, "w") as handle:
            json.dump(config, handle)
        km = SandboxedKernelManager()
        km._spec = KernelSpec(
            argv=self.plan["kernelArgv"],
            display_name="TypeScript",
            language="typescript",
            interrupt_mode="signal",
            env={},
        )
        km.launch = [
            sys.executable,
            os.path.join(HERE, "enter.py"),
            "outer",
            config_file,
            "{connection_file}",
            "--",
            *self.plan["kernelArgv"],
        ]
        km.transport = "ipc"
        km.ip = os.path.join(workdir, f"k{uuid.uuid4().hex[:6]}")
        km.connection_file = os.path.join(sandbox["privateDir"], f"connection-{self.name}.json")
        self.km = km
        await km.start_kernel()
        self.kc = km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=self.plan["startupTimeout"])

    async def execute(self, source, timeout):
        """Runs one cell; returns (status, output text, how it stopped)."""
        for _ in range(3):
            result = await self.execute_once(source, timeout)
            if result[0] != "abort":
                break
            await self.settle()
        if result[0] in ("error", "timeout"):
            await self.settle()
        return result

    async def settle(self):
        """After a failed cell tslab aborts every request that arrives while its
        queue is reset, a timer of 200 ms on the kernel's own event loop (longer
        when that loop is busy). Instead of sleeping past it, send an empty
        cell until one is executed ("ok"): then the kernel takes cells again.
        Bounded by the interrupt grace; a kernel that never settles (or died)
        shows it on the next cell."""
        deadline = time.monotonic() + max(1.0, self.plan["interruptGrace"])
        while time.monotonic() < deadline:
            status, _, how = await self.execute_once("", max(0.5, deadline - time.monotonic()))
            if status == "ok":
                return
            if status in ("died", "timeout") or how == "killed":
                return
            await asyncio.sleep(0.02)

    async def execute_once(self, source, timeout):
        kc = self.kc
        msg_id = kc.execute(source, store_history=True, allow_stdin=False, stop_on_error=False)
        output = Output(self.plan["outputLimit"])
        deadline = time.monotonic() + timeout
        interrupted_at = None
        reply = None
        while True:
            now = time.monotonic()
            if interrupted_at is None and now >= deadline:
                # tslab stops awaited work on SIGINT; a synchronous loop never
                # sees it, so after a grace period the kernel is killed.
                interrupted_at = now
                await self.km.interrupt_kernel()
            if interrupted_at is not None and now - interrupted_at > self.plan["interruptGrace"]:
                return "timeout", output.text(), "killed"
            try:
                message = await kc.get_iopub_msg(timeout=0.2)
            except Exception:  # noqa: BLE001 - queue.Empty: nothing yet
                if not await self.km.is_alive():
                    return "died", output.text(), None
                continue
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                output.add(content.get("text", ""))
            elif kind in ("execute_result", "display_data"):
                output.add(content.get("data", {}).get("text/plain", "") + "\n")
            elif kind == "error":
                output.add("\n".join(content.get("traceback", [])) or f"{content['ename']}: {content['evalue']}")
            elif kind == "status" and content.get("execution_state") == "idle":
                reply = await self.reply(msg_id)
                break
        status = reply["content"]["status"] if reply else "error"
        if interrupted_at is not None:
            return "timeout", output.text(), "interrupted"
        return (status if status in ("ok", "abort") else "error"), output.text(), None

    async def reply(self, msg_id):
        """The execute_reply of msg_id (tslab sends it before going idle)."""
        while True:
            try:
                reply = await self.kc.get_shell_msg(timeout=self.plan["interruptGrace"])
            except Exception:  # noqa: BLE001 - no reply: count the cell as failed
                return None
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    async def stop(self):
        """Kills everything the kernel started, then removes its cgroups."""
        if self.cgroups:
            self.cgroups.kill()
        if self.kc:
            self.kc.stop_channels()
        if self.km:
            try:
                await self.km.shutdown_kernel(now=True)
            except Exception as error:  # noqa: BLE001 - already gone
                log(f"shutdown: {error}")
            await self.km.cleanup_resources()
        if self.cgroups:
            self.cgroups.remove()
        reap_orphans()

    def task_limit_hits(self):
        return self.cgroups.task_limit_hits() if self.cgroups else 0

    def memory_killed(self):
        return bool(self.cgroups and self.cgroups.oom_kills() > 0)


class Output:
    """A cell's text, cut at a limit so a flood cannot exhaust the grader."""

    def __init__(self, limit):
        self.limit = limit
        self.parts = []
        self.size = 0
        self.cut = False

    def add(self, text):
        room = self.limit - self.size
        if room <= 0:
            self.cut = True
            return
        if len(text) > room:
            text, self.cut = text[:room], True
        self.parts.append(text)
        self.size += len(text)

    def text(self):
        joined = "".join(self.parts)
        return joined + ("\n[output cut at %d characters]\n" % self.limit if self.cut else "")


def phase_dir(plan, name, uid):
    """The phase's own working directory: a copy of the prepared one."""
    base = plan["sandbox"]["workdir"]
    target = os.path.join(base, name)
    os.mkdir(target, 0o700)
    for entry in os.listdir(base):
        source = os.path.join(base, entry)
        if entry in PHASES:
            continue
        if os.path.islink(source):
            os.symlink(os.readlink(source), os.path.join(target, entry))
        elif os.path.isfile(source):
            shutil.copy(source, os.path.join(target, entry))
    if uid is not None:
        for entry in [target, *(os.path.join(target, e) for e in os.listdir(target))]:
            os.lchown(entry, uid, uid)
    return target


PHASES = ("visible", "hidden")


async def run_phase(plan, phase, deadline, counter):
    results = {cell["id"]: {"id": cell["id"], "status": "not-run", "output": "", "seconds": 0} for cell in [*phase["prefix"], *phase["tests"]]}
    notes = []
    tests = list(phase["tests"])
    restarts = 0
    # Its own uid: RLIMIT_NPROC counts per uid, and phases run side by side.
    base = plan["sandbox"]["enter"]["uid"]
    uid = None if base is None else base + PHASES.index(phase["name"])
    workdir = phase_dir(plan, phase["name"], uid)
    kernel = None

    async def fresh_kernel():
        # About 1 start in 30 never answers (tslab's zeromq: "Socket is
        # blocked by a bind or unbind operation", then no reply): a fresh
        # kernel gets one more try, as nbexec.py gives its own.
        nonlocal kernel
        for attempt in (1, 2):
            counter[0] += 1
            kernel = Kernel(plan, counter[0], workdir, uid)
            started = time.monotonic()
            try:
                await kernel.start()
            except Exception as error:  # noqa: BLE001
                await kernel.stop()
                if attempt == 2:
                    raise RuntimeError(f"kernel start failed twice: {error}") from error
                log(f"kernel {kernel.name} start failed ({error}); one more try")
                continue
            log(f"kernel {kernel.name} ready in {time.monotonic() - started:.1f} s")
            return

    async def run(cell):
        remaining = deadline - time.monotonic()
        if remaining <= 1:
            results[cell["id"]]["note"] = "not run: the submission's time limit was reached"
            return "deadline"
        timeout = min(plan["limits"]["cellTimeout"], remaining)
        started = time.monotonic()
        hits = kernel.task_limit_hits()
        status, text, how = await kernel.execute(cell["source"], timeout)
        if status == "died" and kernel.memory_killed():
            status, how = "memory", "killed"
        result = results[cell["id"]]
        result.update(status=status, output=text, seconds=round(time.monotonic() - started, 3))
        if status == "timeout":
            limited = "the submission's" if timeout < plan["limits"]["cellTimeout"] else "the cell"
            result["note"] = f"stopped: {limited} time limit ({timeout:.0f} s) was reached"
        if status == "memory":
            result["note"] = f"killed: the memory limit ({plan['sandbox']['memoryBytes'] // 2**20} MiB) was exceeded"
        if status == "died":
            result["note"] = "the kernel died while running this cell"
        if kernel.task_limit_hits() > hits:
            limit = plan["sandbox"]["maxTasks"]
            result["note"] = (result.get("note", "") + f"; the process limit ({limit} tasks) was reached").lstrip("; ")
        alive = how != "killed" and status not in ("died", "memory")
        return "ok" if alive else "dead"

    try:
        await fresh_kernel()
        for cell in phase["prefix"]:
            state = await run(cell)
            if state != "ok":
                notes.append(f"a cell of the submission stopped the kernel ({results[cell['id']]['status']}); the tests after it were not run")
                return results, notes
        while tests:
            cell = tests.pop(0)
            state = await run(cell)
            if state == "deadline":
                for rest in tests:
                    results[rest["id"]]["note"] = "not run: the submission's time limit was reached"
                break
            if state == "dead" and tests:
                await kernel.stop()
                if restarts >= plan["maxRestarts"]:
                    notes.append("too many kernel restarts; the remaining tests were not run")
                    break
                restarts += 1
                await fresh_kernel()
                for prefix_cell in phase["prefix"]:
                    replay = await kernel.execute(prefix_cell["source"], min(plan["limits"]["cellTimeout"], max(1, deadline - time.monotonic())))
                    if replay[0] in ("timeout", "died"):
                        notes.append("the submission's code could not be replayed after a restart")
                        return results, notes
    finally:
        if kernel:
            await kernel.stop()
    return results, notes


async def main():
    plan = json.load(sys.stdin)
    become_subreaper()
    started = time.monotonic()
    deadline = started + plan["limits"]["submissionTimeout"]
    counter = [0]
    plan["sandbox"], notes = resolve(plan)
    report = {"phases": [], "notes": notes, "sandbox": {"cgroups": plan["sandbox"]["cgroups"], "namespaces": plan["sandbox"]["enter"]["unshare"], "uid": plan["sandbox"]["enter"]["uid"]}}
    # With namespaces the phases cannot see each other's objects (each
    # kernel has its own /dev/shm, IPC namespace, /tmp and working
    # directory), so they run side by side; without, one after the other.
    isolated = bool(plan["sandbox"]["enter"]["unshare"])
    try:
        runs = [run_phase(plan, phase, deadline, counter) for phase in plan["phases"]]
        if isolated and plan.get("parallel", True):
            outcomes = await asyncio.gather(*runs)
        else:
            outcomes = [await run for run in runs]
        for phase, (results, notes) in zip(plan["phases"], outcomes):
            report["phases"].append({"name": phase["name"], "cells": list(results.values()), "notes": notes})
    except RuntimeError as error:
        log(str(error))
        print(json.dumps({"error": str(error)}))
        return 2
    reap_orphans(wait_seconds=2)
    report["kernels"] = counter[0]
    report["seconds"] = round(time.monotonic() - started, 3)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
