/**
 * `npm run bench -- shm [MiB] [rounds]`: writing into POSIX shared memory.
 * TypeScript stores 64 KiB chunks through the mapped Buffer itself
 * (`buffer.set(chunk, offset)`: no system call, no copy through the
 * kernel); the baseline is C's memcpy of the same chunks into the same
 * object (native/c/shm_bench.c, a child process), measured in the same run.
 * Each side first writes the whole region once (faulting the pages in), then
 * reports the median of `rounds` passes. MB = 10^6 bytes.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { binDir, SharedMemory } from "ipc-lab";
import { median, quick, resultLine } from "./lib/measure.ts";

const MIB = Number(process.argv[2] ?? (quick ? 64 : 256));
const ROUNDS = Number(process.argv[3] ?? (quick ? 3 : 15));
const CHUNK = 64 * 1024;

function tsRate(shm: SharedMemory): number {
  const region = shm.buffer;
  const chunk = Buffer.alloc(CHUNK, "t");
  const pass = () => {
    for (let at = 0; at < region.length; at += CHUNK) region.set(chunk, at);
  };
  pass(); // warm-up: fault the pages in, let V8 optimise the loop
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    chunk[0] = round;
    const start = process.hrtime.bigint();
    pass();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push(region.length / seconds / 1e6);
  }
  if (region[0] !== chunk[0]) throw new Error("the stores did not reach the mapping");
  return median(rates);
}

function cRate(name: string): number {
  const result = spawnSync(path.join(binDir, "shm_bench"), [name, String(MIB), String(ROUNDS)], {
    encoding: "utf8",
  });
  const match = /c MB\/s=(\d+)/.exec(result.stdout);
  if (result.status !== 0 || !match) {
    throw new Error(`shm_bench failed (status ${result.status}): ${result.stderr}`);
  }
  return Number(match[1]);
}

const name = `/ipc-lab-bench-${randomBytes(4).toString("hex")}`;
const shm = SharedMemory.create(name, MIB * 2 ** 20);
try {
  console.log(`writing ${MIB} MiB in 64 KiB chunks into ${name}, median of ${ROUNDS} passes`);
  // Alternate the two sides, so that neither always runs on a warmer machine.
  const ts: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < 3; i++) {
    ts.push(tsRate(shm));
    c.push(cRate(name));
  }
  const tsMedian = median(ts);
  const cMedian = median(c);
  console.log(
    `  TypeScript buffer.set  ${tsMedian.toFixed(0)} MB/s   (runs: ${ts.map((r) => r.toFixed(0)).join(", ")})`,
  );
  console.log(
    `  C memcpy               ${cMedian.toFixed(0)} MB/s   (runs: ${c.map((r) => r.toFixed(0)).join(", ")})`,
  );
  console.log(resultLine("shm.write", { ts: tsMedian, c: cMedian }, true, 0));
} finally {
  shm.close();
  shm.unlink();
}
