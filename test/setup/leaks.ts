/**
 * The suite must leave the machine as it found it: this global setup takes a
 * snapshot of the kernel objects tests can create (POSIX shared memory and
 * message queues, System V segments, semaphores and queues, FIFOs in the
 * temp folder) and fails the run if any are left over at the end, along with
 * zombie or stray children of the test run.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, existsSync } from "node:fs";

function list(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).map((name) => `${dir}/${name}`) : [];
}

function sysv(): string[] {
  // /proc/sysvipc lists every segment, semaphore set and queue with its key and id.
  return ["shm", "sem", "msg"].flatMap((kind) => {
    const file = `/proc/sysvipc/${kind}`;
    if (!existsSync(file)) return [];
    const lines = execFileSync("cat", [file], { encoding: "utf8" }).trim().split("\n").slice(1);
    return lines.map((line) => {
      const [key, id] = line.trim().split(/\s+/);
      return `sysv ${kind} key=${key} id=${id}`;
    });
  });
}

function snapshot(): Set<string> {
  return new Set([...list("/dev/shm"), ...list("/dev/mqueue"), ...sysv()]);
}

function zombies(): string[] {
  const out = execFileSync("ps", ["-eo", "stat=,pid=,ppid=,comm="], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((line) => line.trim().startsWith("Z"))
    .map((line) => `zombie ${line.trim()}`);
}

export default function setup(): () => void {
  const before = snapshot();
  const zombiesBefore = new Set(zombies());
  return () => {
    const leaked = [...snapshot()].filter((item) => !before.has(item));
    leaked.push(...zombies().filter((z) => !zombiesBefore.has(z)));
    if (leaked.length > 0) {
      throw new Error(`the test run left kernel objects behind:\n  ${leaked.join("\n  ")}`);
    }
  };
}
