/**
 * The sandbox's limits as configuration (nbgrader keeps its time-outs in
 * config too). Each can be overridden by an environment variable, e.g.
 * IPC_LAB_GRADER_CELL_TIMEOUT=20, or by the CLI's --cell-timeout etc.
 */
export interface Limits {
  /** Seconds one cell may run before it is interrupted (then killed). */
  cellTimeout: number;
  /** Seconds for the whole submission, every kernel included. */
  submissionTimeout: number;
  /** Memory of the kernel and everything it starts (cgroup). */
  memoryBytes: number;
  /** Tasks (processes and threads) of the kernel and its children (cgroup pids.max, RLIMIT_NPROC). */
  maxTasks: number;
  /** Size of the private /dev/shm. */
  shmBytes: number;
  /** Size of the private /tmp, and the largest file the kernel may write. */
  tmpBytes: number;
  /** V8's heap limit (--max-old-space-size): the one memory limit that needs no privilege. */
  heapMiB: number;
}

const MiB = 2 ** 20;

export const defaultLimits: Limits = {
  cellTimeout: 10,
  submissionTimeout: 120,
  memoryBytes: 1024 * MiB,
  maxTasks: 256,
  shmBytes: 64 * MiB,
  tmpBytes: 64 * MiB,
  heapMiB: 512,
};

const envNames: Record<keyof Limits, string> = {
  cellTimeout: "IPC_LAB_GRADER_CELL_TIMEOUT",
  submissionTimeout: "IPC_LAB_GRADER_SUBMISSION_TIMEOUT",
  memoryBytes: "IPC_LAB_GRADER_MEMORY_BYTES",
  maxTasks: "IPC_LAB_GRADER_MAX_TASKS",
  shmBytes: "IPC_LAB_GRADER_SHM_BYTES",
  tmpBytes: "IPC_LAB_GRADER_TMP_BYTES",
  heapMiB: "IPC_LAB_GRADER_HEAP_MIB",
};

/**
 * The limits for one grading: `base` (the defaults, raised by an assignment
 * that asks for more in its metadata.ipc_lab.limits), then the environment,
 * then `overrides` (the CLI's flags).
 */
export function resolveLimits(
  overrides: Partial<Limits> = {},
  env = process.env,
  base: Limits = defaultLimits,
): Limits {
  const limits = { ...base };
  for (const key of Object.keys(envNames) as (keyof Limits)[]) {
    const raw = overrides[key] ?? env[envNames[key]];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`${key} must be a positive number, got ${String(raw)}`);
    }
    limits[key] = value;
  }
  return limits;
}

/**
 * What an assignment asks for in its notebook's metadata.ipc_lab.limits
 * (e.g. A3's and A8's tests start many processes: `{ "cellTimeout": 30 }`).
 * Only known keys with positive numbers count; anything else is an error of
 * the assignment's author.
 */
export function assignmentLimits(metadata: Record<string, unknown>): Partial<Limits> {
  const asked = (metadata.ipc_lab as { limits?: Record<string, unknown> } | undefined)?.limits;
  if (asked === undefined) return {};
  const limits: Partial<Limits> = {};
  for (const [key, value] of Object.entries(asked)) {
    if (!(key in envNames) || typeof value !== "number" || !(value > 0)) {
      throw new RangeError(
        `metadata.ipc_lab.limits.${key} must be a known limit with a positive number`,
      );
    }
    limits[key as keyof Limits] = value;
  }
  return limits;
}
