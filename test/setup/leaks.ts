/**
 * The suite must leave the machine as it found it. This global setup runs in
 * vitest's main process:
 * - it snapshots the kernel objects tests can create (POSIX shared memory and
 *   message queues, System V segments, semaphore sets and queues) and fails
 *   the run if any new one is left at the end;
 * - it makes the main process a child subreaper, so every process a test
 *   orphaned is re-parented here instead of to init; at the end any such
 *   process still running fails the run (and is killed and reaped).
 *   One that already ended is reaped and not counted: standing in for init,
 *   this process does init's job. (Chapter 03 starts `cat` from a shell on
 *   purpose, so that its parent is not the kernel; it ends by itself.)
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { kill, setChildSubreaper, waitpidSync } from "ipc-lab";

function list(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).map((name) => `${dir}/${name}`) : [];
}

function sysv(): string[] {
  // /proc/sysvipc lists every segment, semaphore set and queue with its key and id.
  return ["shm", "sem", "msg"].flatMap((kind) => {
    const file = `/proc/sysvipc/${kind}`;
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => {
        const [key, id] = line.trim().split(/\s+/);
        return `System V ${kind} key=${key} id=${id}`;
      });
  });
}

function kernelObjects(): Set<string> {
  return new Set([...list("/dev/shm"), ...list("/dev/mqueue"), ...sysv()]);
}

interface Proc {
  pid: number;
  state: string;
  command: string;
}

/** Processes whose parent is this one, other than vitest's own workers. */
function adopted(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const [state, ppid] = stat.slice(close + 2).split(" ");
      if (Number(ppid) !== process.pid) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      if (/vitest|tinypool|esbuild/.test(command)) continue;
      out.push({
        pid: Number(entry),
        state: state ?? "?",
        command: command || stat.slice(0, close + 1),
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

export default function setup(): () => void {
  setChildSubreaper(true);
  const before = kernelObjects();
  return () => {
    const leaked = [...kernelObjects()].filter((item) => !before.has(item));
    for (const proc of adopted()) {
      if (proc.state !== "Z") leaked.push(`stray process ${proc.pid}: ${proc.command}`);
      try {
        if (proc.state !== "Z") kill(proc.pid, "SIGKILL");
        waitpidSync(proc.pid);
      } catch {
        // Already reaped.
      }
    }
    if (leaked.length > 0) {
      throw new Error(`the test run left these behind:\n  ${leaked.join("\n  ")}`);
    }
  };
}
