/**
 * Chapter 10's quick measurement: every mechanism of the course, C
 * (native/c/ipc_compare) and TypeScript (bench/lib/compare.mjs, through
 * ipc-lab), the same work on both sides, each for a fixed short time, in
 * well under a minute. A look at this machine, not the full benchmarks
 * (`npm run bench -- all` writes bench/results/all.json, which the chapter
 * can load instead).
 *
 *   node --import tsx bench/lib/quick.ts [--budget MS]   prints the results as JSON
 *
 * Round trips (1 byte there and back) are measured unpinned and pinned to CPU
 * 0 (`taskset -c 0`: both processes on one CPU); throughput (one way, 64 B to
 * 1 MiB messages) unpinned, as a bulk transfer would run. A mechanism one
 * side cannot measure is a row with `value: null` and a one-line `note`.
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pin } from "./measure.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");
const compareC = path.join(root, "native", "build", "bin", "ipc_compare");
const compareTs = path.join(here, "compare.mjs");

export type Side = "ts" | "c";

export interface Mechanism {
  id: string;
  /** English and the lecture's Korean. */
  en: string;
  ko: string;
  /** The row of lecture note 002's table it belongs to. */
  lecture: string;
  /** Which sides measure its throughput; the largest message it takes. */
  tp: Side[];
  maxSize?: number;
}

/** The course's mechanisms, in chapter order. */
export const MECHANISMS: Mechanism[] = [
  { id: "pipe", en: "pipe", ko: "파이프", lecture: "파이프", tp: ["c", "ts"] },
  { id: "fifo", en: "FIFO (named pipe)", ko: "명명 파이프", lecture: "파이프", tp: ["c"] },
  { id: "signal", en: "signal", ko: "시그널", lecture: "", tp: [] },
  {
    id: "posix-mq",
    en: "POSIX message queue",
    ko: "메시지 큐",
    lecture: "메시지 큐",
    tp: ["c", "ts"],
    maxSize: 8192,
  },
  {
    id: "sysv-mq",
    en: "System V message queue",
    ko: "메시지 큐",
    lecture: "메시지 큐",
    tp: ["c"],
    maxSize: 8192,
  },
  {
    id: "shm-sem",
    en: "shared memory + semaphore",
    ko: "공유 메모리 + 세마포어",
    lecture: "공유 메모리",
    tp: ["c", "ts"],
  },
  {
    id: "shm-spin",
    en: "shared memory + atomics (spin)",
    ko: "공유 메모리 + 원자적 연산",
    lecture: "공유 메모리",
    tp: ["c"],
  },
  {
    id: "mmap-spin",
    en: "memory-mapped file + atomics",
    ko: "메모리 맵",
    lecture: "메모리 맵",
    tp: ["c"],
  },
  { id: "unix", en: "Unix socket (stream)", ko: "유닉스 소켓", lecture: "소켓", tp: ["c", "ts"] },
  { id: "tcp", en: "TCP socket (loopback)", ko: "TCP 소켓", lecture: "소켓", tp: ["c", "ts"] },
  { id: "udp", en: "UDP socket (loopback)", ko: "UDP 소켓", lecture: "소켓", tp: [] },
  // A NULL call and its reply: C's clnt_call against the library's callSync, both blocking.
  { id: "rpc-tcp", en: "ONC RPC over TCP", ko: "원격 프로시저 호출", lecture: "RPC", tp: [] },
  { id: "rpc-udp", en: "ONC RPC over UDP", ko: "원격 프로시저 호출", lecture: "RPC", tp: [] },
];

/** Throughput's message sizes: 64 B to 1 MiB, a factor of 16 apart. */
export const SIZES = [64, 1024, 16384, 262144, 1048576];

export interface RoundTrip {
  mech: string;
  side: Side;
  pinned: boolean;
  /** µs per round trip, or null with a note. */
  value: number | null;
  note?: string;
}

export interface Throughput {
  mech: string;
  side: Side;
  size: number;
  /** MB/s (10^6 bytes per second), or null with a note. */
  value: number | null;
  note?: string;
}

export interface QuickResults {
  date: string;
  seconds: number;
  machine: { cpus: number; cpu: string; kernel: string; node: string; load: number[] };
  rt: RoundTrip[];
  tp: Throughput[];
  /** memcpy in one process: the physical limit of any copy through memory. */
  memcpy: { size: number; value: number | null }[];
}

/** One measuring program's one number, or why there is none. */
function one(
  pinned: boolean,
  command: string,
  args: string[],
): { value: number | null; note?: string } {
  const [file, argv] = pin(pinned, command, args);
  const result = spawnSync(file, argv, { encoding: "utf8", timeout: 8_000 });
  const last = result.stdout?.trim().split("\n").pop() ?? "";
  if (result.status === 0 && Number.isFinite(Number(last))) return { value: Number(last) };
  if (result.status === 3) return { value: null, note: last.replace(/^skipped: /, "") };
  const why = result.error?.message ?? result.stderr?.trim().split("\n")[0] ?? "";
  return { value: null, note: `failed (${result.signal ?? result.status}): ${why}`.slice(0, 120) };
}

const c = (pinned: boolean, args: string[]) => one(pinned, compareC, args);

/** TypeScript's throughput at fewer sizes: each is a Node peer of its own. */
const TS_SIZES = [64, 16384, 1048576];

/** Several TypeScript measurements in one Node process (bench/lib/compare.mjs batch). */
function tsBatch(
  pinned: boolean,
  jobs: string[],
): Map<string, { value: number | null; note?: string }> {
  const results = new Map<string, { value: number | null; note?: string }>();
  const run = jobs;
  if (run.length === 0) return results;
  const [file, argv] = pin(pinned, process.execPath, [compareTs, "batch", ...run]);
  const out = spawnSync(file, argv, { encoding: "utf8", timeout: 10_000 * run.length });
  for (const line of (out.stdout ?? "").split("\n")) {
    const [job, ...words] = line.split(" ");
    const text = words.join(" ");
    if (!job || !run.includes(job)) continue;
    if (Number.isFinite(Number(text)) && text !== "") results.set(job, { value: Number(text) });
    else results.set(job, { value: null, note: text.replace(/^skipped: /, "") });
  }
  for (const job of run)
    if (!results.has(job))
      results.set(job, {
        value: null,
        note: `failed: ${out.error?.message ?? `exit ${out.status}`}`,
      });
  return results;
}

/** Measures everything; `budget` is each round-trip measurement's milliseconds. */
export function measureAll(budget = 40): QuickResults {
  const started = Date.now();
  const rt: RoundTrip[] = [];
  const tp: Throughput[] = [];
  for (const pinned of [false, true]) {
    for (const mech of MECHANISMS)
      rt.push({ mech: mech.id, side: "c", pinned, ...c(pinned, ["rt", mech.id, String(budget)]) });
    // TypeScript: the round trips, and (unpinned) the throughputs, in one Node process
    const rtJobs = MECHANISMS.map((mech) => `rt:${mech.id}:1:${budget}`);
    const tpJobs = pinned
      ? []
      : MECHANISMS.flatMap((mech) =>
          mech.tp.includes("ts")
            ? TS_SIZES.filter((size) => size <= (mech.maxSize ?? Infinity)).map(
                (size) => `tp:${mech.id}:${size}:${budget}`,
              )
            : [],
        );
    const got = tsBatch(pinned, [...rtJobs, ...tpJobs]);
    MECHANISMS.forEach((mech, i) =>
      rt.push({ mech: mech.id, side: "ts", pinned, ...got.get(rtJobs[i]!)! }),
    );
    for (const job of tpJobs) {
      const [, mech, size] = job.split(":");
      tp.push({ mech: mech!, side: "ts", size: Number(size), ...got.get(job)! });
    }
  }
  for (const mech of MECHANISMS) {
    if (!mech.tp.includes("c")) continue;
    for (const size of SIZES) {
      if (size > (mech.maxSize ?? Infinity)) continue;
      const got = c(false, ["tp", mech.id, String(size), String(budget / 2)]);
      tp.push({ mech: mech.id, side: "c", size, ...got });
      if (got.value === null) break; // failed: not again for every size
    }
  }
  const memcpy = [...SIZES, 64 << 20].map((size) => ({
    size,
    value: c(false, ["memcpy", String(size), String(budget / 2)]).value,
  }));
  const cpu = os.cpus()[0]?.model ?? "unknown";
  return {
    date: new Date().toISOString(),
    seconds: (Date.now() - started) / 1e3,
    machine: {
      cpus: os.cpus().length,
      cpu,
      kernel: os.release(),
      node: process.version,
      load: os.loadavg(),
    },
    rt,
    tp,
    memcpy,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--budget");
  console.log(JSON.stringify(measureAll(at > 0 ? Number(process.argv[at + 1]) : undefined)));
}
