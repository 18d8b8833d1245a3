/**
 * `npm run bench -- sem [roundTrips] [runs]`: semaphores, TypeScript vs C.
 *  - pingpong: two processes pass a turn back and forth through two unnamed
 *    semaphores in shared memory (post one, wait on the other). TypeScript:
 *    two Node processes (bench/lib/sem-worker.mjs) using UnnamedSemaphore; C:
 *    native/c/sem_pingpong (a forked peer). Pinned = both processes on CPU 0
 *    (taskset / sched_setaffinity), as every round trip of the course is
 *    measured; unpinned = wherever the scheduler puts them. Reported: ns per
 *    round trip.
 *      sem.pingpong.async       `await wait()` (no goal)
 *      sem.pingpong.async.spin  `await wait({ spin: 50 })`: up to 50 µs of
 *                               sem_trywait, yielding the CPU between tries,
 *                               before the wait sleeps (no goal)
 *      sem.pingpong             waitSync() vs C's sem_wait: the goal line
 *    The goal line compares blocking with blocking: C's sem_wait blocks its
 *    thread, and so does waitSync(), the library's public blocking form
 *    (sem_wait on the calling thread: the same futex calls per round trip).
 *    The awaited wait() cannot reach C: a semaphore has no descriptor to
 *    poll, so a wait that finds the count at 0 sleeps on a waiter thread
 *    (a condition variable's wake, the futex wait, then uv_async back to
 *    the loop and into JavaScript: on one CPU four threads take turns where
 *    C has two); the .async lines keep those figures visible.
 *  - uncontended: one process, `await sem.wait(); sem.post()` on a semaphore
 *    nobody else uses (TypeScript) vs sem_wait + sem_post (C): ns per pair;
 *    sem.uncontended.sync the same with waitSync().
 * Each figure is the median of `runs` runs, the sides alternating.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { binDir, SharedMemory, UnnamedSemaphore } from "ipc-lab";
import {
  median,
  pin as pinTo,
  quick,
  resultLine,
  RUNS as DEFAULT_RUNS,
  scaled,
} from "./lib/measure.ts";

const ROUND_TRIPS = Number(process.argv[2] ?? scaled(20_000));
const RUNS = Number(process.argv[3] ?? DEFAULT_RUNS);
const UNCONTENDED = scaled(2_000_000);
const here = path.dirname(fileURLToPath(import.meta.url));
const worker = path.join(here, "lib", "sem-worker.mjs");
/** Both processes on CPU 0 when pinned: the C side's arguments. */
const cpus = ["0", "0"];

/** MODE of sem-worker.mjs: "sync", "async" or a spin in µs. */
async function tsPingpong(pin: boolean, mode: string): Promise<number> {
  const name = `/ipc-lab-bench-${randomBytes(4).toString("hex")}`;
  const shm = SharedMemory.create(name, 64, { exclusive: true });
  const sems = [UnnamedSemaphore.init(shm, 0), UnnamedSemaphore.init(shm, 32)];
  try {
    const [pongCmd, pongArgs] = pinTo(pin, process.execPath, [
      worker,
      "pong",
      name,
      String(ROUND_TRIPS),
      mode,
    ]);
    const pong = spawn(pongCmd, pongArgs, { stdio: ["ignore", "pipe", "inherit"] });
    const pongDone = new Promise<void>((resolve) => pong.on("close", () => resolve()));
    await new Promise<void>((resolve) => pong.stdout.once("data", () => resolve()));
    const [pingCmd, pingArgs] = pinTo(pin, process.execPath, [
      worker,
      "ping",
      name,
      String(ROUND_TRIPS),
      mode,
    ]);
    const ping = spawnSync(pingCmd, pingArgs, { encoding: "utf8" });
    await pongDone;
    const match = /ns=([\d.]+)/.exec(ping.stdout);
    if (ping.status !== 0 || !match) throw new Error(`sem-worker ping failed: ${ping.stderr}`);
    return Number(match[1]);
  } finally {
    for (const sem of sems) sem.close();
    shm.close();
    shm.unlink();
  }
}

function cRun(args: string[]): number {
  const result = spawnSync(path.join(binDir, "sem_pingpong"), args, { encoding: "utf8" });
  const match = /([\d.]+) ns/.exec(result.stdout);
  if (result.status !== 0 || !match) throw new Error(`sem_pingpong failed: ${result.stderr}`);
  return Number(match[1]);
}

async function tsUncontended(sync: boolean): Promise<number> {
  const name = `/ipc-lab-bench-${randomBytes(4).toString("hex")}`;
  const shm = SharedMemory.create(name, 64, { exclusive: true });
  const sem = UnnamedSemaphore.init(shm, 0, { value: 1 });
  try {
    for (let i = 0; i < (quick ? 10_000 : 100_000); i++) {
      if (sync)
        sem.waitSync(); // warm-up
      else await sem.wait();
      sem.post();
    }
    const start = process.hrtime.bigint();
    if (sync) {
      for (let i = 0; i < UNCONTENDED; i++) {
        sem.waitSync();
        sem.post();
      }
    } else {
      for (let i = 0; i < UNCONTENDED; i++) {
        await sem.wait();
        sem.post();
      }
    }
    return Number(process.hrtime.bigint() - start) / UNCONTENDED;
  } finally {
    sem.close();
    shm.close();
    shm.unlink();
  }
}

const line = (label: string, runs: number[]) =>
  console.log(
    `  ${label.padEnd(34)} ${median(runs).toFixed(0).padStart(8)} ns   (runs: ${runs.map((r) => r.toFixed(0)).join(", ")})`,
  );

console.log(`ping-pong: ${ROUND_TRIPS} round trips, median of ${RUNS} runs; pinned: both on CPU 0`);
const results: Record<string, number> = {};
for (const pin of [true, false]) {
  const sync: number[] = [];
  const ts: number[] = [];
  const spun: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    sync.push(await tsPingpong(pin, "sync"));
    ts.push(await tsPingpong(pin, "async"));
    spun.push(await tsPingpong(pin, "50"));
    c.push(cRun(["pingpong", String(ROUND_TRIPS), ...(pin ? cpus : [])]));
  }
  const where = pin ? "pinned" : "unpinned";
  line(`TypeScript waitSync() ${where}`, sync);
  line(`TypeScript await wait() ${where}`, ts);
  line(`TypeScript, spin 50 µs, ${where}`, spun);
  line(`C ping-pong ${where}`, c);
  results[`sync ${where}`] = median(sync);
  results[`async ${where}`] = median(ts);
  results[`spin ${where}`] = median(spun);
  results[`c ${where}`] = median(c);
}
const tsU: number[] = [];
const syncU: number[] = [];
const cU: number[] = [];
for (let i = 0; i < RUNS; i++) {
  tsU.push(await tsUncontended(false));
  syncU.push(await tsUncontended(true));
  cU.push(cRun(["uncontended", String(UNCONTENDED * 10)]));
}
line("TypeScript await wait() + post()", tsU);
line("TypeScript waitSync() + post()", syncU);
line("C sem_wait + sem_post", cU);
const pingpong = (name: string, side: string, where: "pinned" | "unpinned") =>
  console.log(
    resultLine(
      name,
      { ts: results[`${side} ${where}`]!, c: results[`c ${where}`]! },
      where === "pinned",
      0,
    ),
  );
for (const where of ["unpinned", "pinned"] as const) {
  pingpong("sem.pingpong.async", "async", where);
  pingpong("sem.pingpong.async.spin", "spin", where);
}
pingpong("sem.pingpong", "sync", "unpinned");
pingpong("sem.pingpong", "sync", "pinned");
console.log(resultLine("sem.uncontended.sync", { ts: median(syncU), c: median(cU) }, true, 1));
console.log(resultLine("sem.uncontended", { ts: median(tsU), c: median(cU) }, true, 1));
