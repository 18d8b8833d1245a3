/**
 * One submission's sandbox from the grader's side: a working directory the
 * kernel owns, a private directory it cannot read (configs, connection
 * files), the runner (kernel-runner.py) fed the plan on stdin, a watchdog
 * over the whole run, and cleanup afterwards, whatever happened.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, realpathSync } from "node:fs";
import { chmod, copyFile, mkdir, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureVenv, jupyterEnv, venvBin } from "../../../shared/jupyter.mjs";
import type { Limits } from "../limits.ts";
import { cleanup } from "./cleanup.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

export interface CellRun {
  id: string;
  source: string;
}

export interface Phase {
  name: "visible" | "hidden";
  prefix: CellRun[];
  tests: CellRun[];
}

export type CellStatus = "ok" | "error" | "timeout" | "memory" | "died" | "not-run" | "abort";

export interface CellReport {
  id: string;
  status: CellStatus;
  output: string;
  seconds: number;
  note?: string;
}

export interface RunReport {
  /** The sandbox's name: its cgroups and working directory carry it. */
  id: string;
  /** Where its working directory was (removed afterwards). */
  dir: string;
  phases: { name: string; cells: CellReport[]; notes: string[] }[];
  notes: string[];
  sandbox: { cgroups: string | null; namespaces: string[]; uid: number | null };
  kernels: number;
  seconds: number;
  /** What cleanup found and removed after the runner. */
  removed: string[];
}

export interface SandboxOptions {
  root: string;
  limits: Limits;
  /** Files copied into the kernel's working directory (e.g. a program the tests run). */
  support: string[];
  /** Paths the kernel must not see (tmpfs or /dev/null mounted over them). */
  hide: string[];
}

/** Entries of the project the kernel needs; everything else in it is hidden. */
const visibleInRoot = new Set(["node_modules", "lib", "native", "package.json"]);

export function hiddenPaths(root: string, extra: string[] = []): string[] {
  const inRoot = readdirSync(root)
    .filter((name) => !visibleInRoot.has(name))
    .map((name) => path.join(root, name));
  return [...inRoot, ...extra];
}

/**
 * What the kernel loads, wherever it really is: the project's visible
 * entries, and the library the `ipc-lab` link leads to with its addon (when
 * node_modules is borrowed from another checkout, as in the tests).
 */
function keptPaths(root: string): string[] {
  const entries = [root, ...[...visibleInRoot].map((name) => path.join(root, name))];
  const library = path.join(root, "node_modules", "ipc-lab");
  if (existsSync(library)) {
    const lib = realpathSync(library);
    entries.push(lib, path.join(path.dirname(lib), "native"));
  }
  return entries.filter((entry) => existsSync(entry)).map((entry) => realpathSync(entry));
}

function workBase(): string {
  // Outside /tmp: the kernel gets a private /tmp of its own, and its
  // working directory must stay at the same path inside and outside.
  const base = process.env.IPC_LAB_GRADER_WORK ?? (existsSync("/var/tmp") ? "/var/tmp" : tmpdir());
  return path.join(base, "ipc-lab-grader");
}

function pickUid(): number | null {
  if (process.getuid?.() !== 0) return null;
  // A uid no process uses: RLIMIT_NPROC and cleanup count by uid.
  return 60000 + 2 * (randomBytes(2).readUInt16BE() % 2500);
}

export async function runInSandbox(phases: Phase[], options: SandboxOptions): Promise<RunReport> {
  ensureVenv();
  const id = `g${randomBytes(5).toString("hex")}`;
  const base = workBase();
  await mkdir(base, { recursive: true, mode: 0o711 });
  const dir = path.join(base, id);
  const workdir = path.join(dir, "work");
  const privateDir = path.join(dir, "private");
  await mkdir(workdir, { recursive: true });
  await mkdir(privateDir, { recursive: true });
  await chmod(dir, 0o711);
  await chmod(privateDir, 0o700);
  const uid = pickUid();
  try {
    // Real paths: the kernel may not see the way there (e.g. a root under /tmp).
    const modules = realpathSync(path.join(options.root, "node_modules"));
    await symlink(modules, path.join(workdir, "node_modules"));
    for (const file of options.support)
      await copyFile(file, path.join(workdir, path.basename(file)));
    const node = process.execPath;
    const plan = {
      id,
      workdir,
      privateDir,
      uid,
      kernelArgv: [
        node,
        `--max-old-space-size=${options.limits.heapMiB}`,
        realpathSync(path.join(modules, "tslab", "bin", "tslab")),
        "kernel",
        "--config-path",
        "{connection_file}",
      ],
      env: {
        PATH: [path.dirname(node), "/usr/local/bin", "/usr/bin", "/bin"].join(":"),
        HOME: workdir,
        TMPDIR: "/tmp",
        LANG: "C.UTF-8",
      },
      hide: options.hide,
      // The project, and what it links to, stay visible under the private
      // /tmp when they live there (a CI clone in /tmp; an autograder whose
      // node_modules links into one): the kernel loads tslab and ipc-lab.
      keep: keptPaths(options.root),
      limits: options.limits,
      startupTimeout: 60,
      interruptGrace: 3,
      outputLimit: 20_000,
      maxRestarts: 3,
      phases,
    };
    const report = { ...(await runRunner(plan, options.limits)), id, dir };
    // The phases' kernels run as uid and uid + 1 (see kernel-runner.py).
    report.removed = [
      ...(await cleanup(id, uid)),
      ...(uid === null ? [] : await cleanup(id, uid + 1)),
    ];
    return report;
  } finally {
    await cleanup(id, uid).catch(() => []);
    if (uid !== null) await cleanup(id, uid + 1).catch(() => []);
    await rm(dir, { recursive: true, force: true });
  }
}

/** The runner under a watchdog: it may take the submission's limit plus kernel start-ups. */
function runRunner(plan: object, limits: Limits): Promise<Omit<RunReport, "id" | "dir">> {
  return new Promise((resolve, reject) => {
    const child = spawn(venvBin("python"), [path.join(here, "kernel-runner.py")], {
      env: jupyterEnv({ PYTHONDONTWRITEBYTECODE: "1" }),
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      err.push(chunk);
      if (process.env.IPC_LAB_GRADER_VERBOSE === "1") process.stderr.write(chunk);
    });
    const watchdog = setTimeout(
      () => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // Already gone.
        }
      },
      (limits.submissionTimeout + 90) * 1000,
    );
    child.on("error", (error) => {
      clearTimeout(watchdog);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(watchdog);
      const stderr = Buffer.concat(err).toString();
      const stdout = Buffer.concat(out).toString();
      if (code !== 0) {
        const reason = signal ? `was killed (${signal})` : `exited with status ${code}`;
        reject(
          new GraderFailure(
            `the kernel runner ${reason}:\n${stderr.slice(-4000)}${stdout.slice(-2000)}`,
          ),
        );
        return;
      }
      try {
        resolve({ ...(JSON.parse(stdout) as Omit<RunReport, "id" | "dir">), removed: [] });
      } catch {
        reject(
          new GraderFailure(
            `the kernel runner's report is not JSON:\n${stdout.slice(0, 2000)}\n${stderr.slice(-2000)}`,
          ),
        );
      }
    });
    child.stdin.end(JSON.stringify(plan));
  });
}

/** The grader itself failed (not the submission): exit status 2. */
export class GraderFailure extends Error {
  override name = "GraderFailure";
}
