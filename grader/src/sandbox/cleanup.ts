/**
 * After the runner: whatever the submission left is removed, whether or not
 * the namespaces already took it away (they do when available; this is the
 * backstop, and what runs when the runner itself had to be killed).
 * Everything is found by owner (the sandbox's own uid) or by the cgroup
 * names of this grading run, never by a process name.
 */
import {
  existsSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { execFileSync } from "node:child_process";

const cgroupParents = [
  "/sys/fs/cgroup/ipc-lab-grader",
  "/sys/fs/cgroup/memory/ipc-lab-grader",
  "/sys/fs/cgroup/pids/ipc-lab-grader",
  "/sys/fs/cgroup/unified/ipc-lab-grader",
];

function processesOf(uid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      if (Number(real) === uid) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

async function settle(check: () => number[], limitMs = 3000): Promise<number[]> {
  const until = Date.now() + limitMs;
  let left = check();
  while (left.length > 0 && Date.now() < until) {
    killAll(left);
    await new Promise((resolve) => setTimeout(resolve, 20));
    left = check();
  }
  return left;
}

function cgroupDirs(id: string): string[] {
  return cgroupParents.flatMap((parent) =>
    existsSync(parent)
      ? readdirSync(parent)
          .filter((name) => name.startsWith(`${id}-`))
          .map((name) => `${parent}/${name}`)
      : [],
  );
}

const procsIn = (dirs: string[]) => () =>
  dirs.flatMap((dir) => {
    try {
      return readFileSync(`${dir}/cgroup.procs`, "utf8").split("\n").filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });

function ownedEntries(dir: string, uid: number): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => `${dir}/${name}`)
    .filter((file) => {
      try {
        return statSync(file).uid === uid;
      } catch {
        return false;
      }
    });
}

function sysvOf(uid: number): [kind: string, id: string][] {
  const found: [string, string][] = [];
  for (const [kind, flag] of [
    ["shm", "-m"],
    ["sem", "-s"],
    ["msg", "-q"],
  ] as const) {
    const file = `/proc/sysvipc/${kind}`;
    if (!existsSync(file)) continue;
    const [header, ...rows] = readFileSync(file, "utf8").trim().split("\n");
    const columns = (header ?? "").trim().split(/\s+/);
    for (const row of rows) {
      const values = row.trim().split(/\s+/);
      if (Number(values[columns.indexOf("uid")]) === uid)
        found.push([
          flag,
          values[columns.indexOf(kind === "shm" ? "shmid" : kind === "sem" ? "semid" : "msqid")] ??
            "",
        ]);
    }
  }
  return found;
}

/** Removes what the sandbox `id` (running as `uid`, if any) left; returns what it removed. */
export async function cleanup(id: string, uid: number | null): Promise<string[]> {
  const removed: string[] = [];
  const dirs = cgroupDirs(id);
  for (const dir of dirs) {
    if (existsSync(`${dir}/cgroup.kill`)) {
      try {
        writeFileSync(`${dir}/cgroup.kill`, "1");
      } catch {
        // Not killable this way: the loop below kills one by one.
      }
    }
  }
  const stray = procsIn(dirs)();
  if (stray.length > 0) removed.push(`${stray.length} processes in the sandbox's cgroups`);
  await settle(procsIn(dirs));
  for (const dir of dirs) {
    try {
      rmdirSync(dir);
    } catch {
      // Busy for a moment more; the next run's cleanup takes it.
    }
  }
  if (uid === null) return removed;
  const left = processesOf(uid);
  if (left.length > 0) removed.push(`${left.length} processes of uid ${uid}`);
  const survivors = await settle(() => processesOf(uid));
  if (survivors.length > 0)
    throw new Error(`could not kill processes ${survivors.join(", ")} of uid ${uid}`);
  for (const file of [...ownedEntries("/dev/shm", uid), ...ownedEntries("/dev/mqueue", uid)]) {
    unlinkSync(file);
    removed.push(file);
  }
  // Without a private /tmp, files and FIFOs it made in the shared one.
  for (const file of ownedEntries(tmpdir(), uid)) {
    rmSync(file, { recursive: true, force: true });
    removed.push(file);
  }
  for (const [flag, ipcId] of sysvOf(uid)) {
    execFileSync("ipcrm", [flag, ipcId]);
    removed.push(`System V ${flag} ${ipcId}`);
  }
  return removed;
}
