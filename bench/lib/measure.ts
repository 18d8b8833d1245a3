/**
 * What every benchmark shares: the clock, the median, pinning to one CPU,
 * running a measuring program several times, and the result line that
 * `npm run bench -- all` (bench/all.ts) collects.
 *
 * `IPC_LAB_BENCH_QUICK=1` (set by `bench -- all --quick`) scales every
 * benchmark down to a quick look: fewer rounds, one run each. Chapter 10's
 * own quick look is bench/lib/quick.ts, which measures every mechanism alike.
 */
import { spawnSync } from "node:child_process";

export const quick = process.env.IPC_LAB_BENCH_QUICK === "1";

/** `n` rounds, or a tenth of them (at least `min`) in a quick run. */
export const scaled = (n: number, min = 100): number =>
  quick ? Math.max(min, Math.round(n / 10)) : n;

/**
 * Turns a round-trip loop makes before its clock starts (untimed), on both
 * sides. V8 runs a loop in its interpreter first and optimises it only after
 * thousands of turns, the peer's loop as much as this one's: after 1000
 * turns mqueue.sysv.roundtrip read 7.3 µs a round trip, after 20 000 3.5 µs
 * (C: 2.3). C needs none; it gets the same turns. V8 counts the code a
 * loop runs, not its turns: a turn that runs more of it (an RPC call, a
 * socket's classes) is optimised sooner, and those loops take a quarter
 * (HEAVY_WARMUP), which keeps `bench -- all` under 10 minutes.
 */
export const WARMUP = scaled(20_000, 1000);
export const HEAVY_WARMUP = Math.round(WARMUP / 4);

/** How many runs a figure is the median of (5, or 1 in a quick run). */
export const RUNS = quick ? 1 : 5;

/** Microseconds, from the monotonic clock. */
export const now = (): number => Number(process.hrtime.bigint()) / 1e3;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** The median of `runs` calls of `f`. */
export const medianOf = (f: () => number, runs = RUNS): number =>
  median(Array.from({ length: runs }, f));

/**
 * Both ends on CPU 0 (`taskset -c 0`): waking a process on the other vCPU
 * costs ~20–40 µs each way on these VMs, which would swamp a round trip.
 */
export const pin = (pinned: boolean, file: string, args: string[]): [string, string[]] =>
  pinned ? ["taskset", ["-c", "0", file, ...args]] : [file, args];

/** Unpinned first, then pinned: the last lines a benchmark prints are pinned. */
export const pinnings = [
  { pinned: false, label: "unpinned" },
  { pinned: true, label: "pinned (taskset -c 0)" },
] as const;

/** Runs a program that prints one number as its last line; returns it. */
export function runOnce(pinned: boolean, command: string, args: string[]): number {
  const result = spawnSync(...pin(pinned, command, args), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const value = Number(result.stdout.trim().split("\n").pop());
  if (result.status !== 0 || !Number.isFinite(value)) {
    throw new Error(
      `${command} ${args.join(" ")} failed (status ${result.status}): ${result.stdout}`,
    );
  }
  return value;
}

/** The median of RUNS runs of a program that prints one number. */
export const run = (pinned: boolean, command: string, args: string[]): number =>
  medianOf(() => runOnce(pinned, command, args));

/** The median of RUNS runs of this benchmark file as a Node program (`--measure KIND`, say). */
export const runSelf = (self: string, pinned: boolean, ...args: string[]): number =>
  run(pinned, process.execPath, [...process.execArgv, self, ...args]);

/** 1234 or 12.34: whole numbers above 100, two decimals below. */
export const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(2));

/**
 * `NAME.metric ts=… c=… ratio=…`: the first value against the second (the
 * baseline); unpinned lines say so, so that the last, pinned, lines are the
 * ones a reader (and bench/all.ts) takes as the result.
 */
export function resultLine(
  name: string,
  values: Record<string, number>,
  pinned = true,
  digits?: number,
): string {
  const entries = Object.entries(values);
  const [first, second] = entries.map(([, v]) => v);
  const show = (v: number) => (digits === undefined ? fmt(v) : v.toFixed(digits));
  const parts = entries.map(([k, v]) => `${k}=${show(v)}`);
  if (first !== undefined && second !== undefined)
    parts.push(`ratio=${(first / second).toFixed(2)}`);
  return `${name} ${parts.join(" ")}${pinned ? "" : "  (unpinned)"}`;
}
