/**
 * `npm run bench -- mmap [MiB] [rounds]`: reading a large file sequentially,
 * through a mapping and with read() into a 1 MiB buffer, TypeScript against
 * C (native/c/mmap_bench.c) doing the same work: sum the file as 32-bit words
 * (wrapping). The file is warm (in the page cache), so this measures
 * mapping against copying, not the disk. Each measurement is a child
 * process, run unpinned and pinned to one CPU (taskset -c 0), the sides
 * alternated; the median of `rounds` passes per child, the median of three
 * children per side. MB = 10^6 bytes.
 * A third pair, scan, looks for a byte the file does not have through the
 * mapping (Buffer.indexOf against C's memchr): the same native work on both
 * sides, so it isolates what the library adds to a mapping's reads.
 * Last lines: `mmap.scan …`, `mmap.read ts=… c=… ratio=…` (the mapping, pinned, TS / C) and
 * `mmap.vs-read ts=… ratio=…` (TypeScript: mapping / read(), pinned).
 */
import { spawnSync } from "node:child_process";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { binDir, MADV_SEQUENTIAL, MappedFile } from "ipc-lab";
import { median, pin as pinned, quick, resultLine } from "./lib/measure.ts";

type Mode = "mmap" | "read" | "scan";

/**
 * Every word, added with 32-bit wrap-around as C's uint32_t sum. V8 does not
 * vectorise, and one accumulator is a chain of dependent adds (each waits
 * for the last): four, unrolled by eight with an int32 index and the length
 * read once, let the adds overlap and halve the loop's overhead per word
 * (1.5x the plain loop through the mapping, 2x on read()'s cached buffer, on
 * this VM). The same adds in another order: wrap-around addition is
 * associative, so the sum is C's. What stays between this and C (measured,
 * mmap.read about 0.38): C's scalar loop adds a word per cycle, V8's about
 * one per two to three; and each pass's 128 MiB external ArrayBuffer counts
 * as external memory to V8, which answers with a full mark-compact (~3.5 ms
 * of a ~60 ms pass, `node --trace-gc`). The page faults (about 1400 a pass,
 * fault-around) are the same on both sides. The loop's own ceiling, over
 * a 256 KiB array in cache (no mapping, no faults): 7.8 GB/s, 0.69 of C's
 * 11.3 through the mapping.
 */
function sumRange(words: Int32Array, from: number, to: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const whole = (from + ((to - from) & ~7)) | 0;
  let i = from | 0;
  for (; i < whole; i = (i + 8) | 0) {
    a = (a + words[i]! + words[i + 4]!) | 0;
    b = (b + words[i + 1]! + words[i + 5]!) | 0;
    c = (c + words[i + 2]! + words[i + 6]!) | 0;
    d = (d + words[i + 3]! + words[i + 7]!) | 0;
  }
  for (; i < to; i++) a = (a + words[i]!) | 0;
  return (a + b + c + d) | 0;
}

/**
 * By 64 KiB: a loop of millions of words in one call runs as on-stack-
 * replacement code for a pass or two, slower than the function TurboFan
 * compiles once it has been called often (4.3-4.8 against 2.6-4.4 GB/s a
 * pass through the mapping, on this VM).
 */
function sumWords(words: Int32Array): number {
  let sum = 0;
  const n = words.length;
  for (let at = 0; at < n; at += CHUNK)
    sum = (sum + sumRange(words, at, Math.min(n, at + CHUNK))) | 0;
  return sum;
}
const CHUNK = 16384;

/** One pass through the mapping: map, hint, sum in place, unmap (as the C side does). */
function passMmap(file: string): number {
  // Writable but private: the library hands out no view of a read-only
  // mapping; nothing is stored, so no page is copied.
  const mapped = MappedFile.open(file, { private: true });
  try {
    mapped.advise(MADV_SEQUENTIAL);
    const bytes = mapped.bytes;
    return sumWords(new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2));
  } finally {
    mapped.close();
  }
}

/** One pass that looks for the byte 0xff (the file has none): a native scan of the mapping. */
function passScan(file: string): number {
  const mapped = MappedFile.open(file, { private: true });
  try {
    mapped.advise(MADV_SEQUENTIAL);
    return mapped.bytes.indexOf(0xff) === -1 ? 0 : 1;
  } finally {
    mapped.close();
  }
}

const buffer = Buffer.alloc(1 << 20);
function passRead(file: string): number {
  const fd = openSync(file, "r");
  try {
    let sum = 0;
    let position = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, position);
      if (n === 0) return sum;
      sum = (sum + sumWords(new Int32Array(buffer.buffer, buffer.byteOffset, n >>> 2))) | 0;
      position += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** In a child: `rounds` passes (after one warm-up), prints `MB/s=… sum=…`. */
function worker(mode: Mode, file: string, rounds: number, bytes: number): void {
  const pass = mode === "mmap" ? passMmap : mode === "scan" ? passScan : passRead;
  let sum = pass(file);
  const rates: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    const again = pass(file);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (again !== sum) throw new Error("the passes disagree");
    sum = again;
    rates.push(bytes / seconds / 1e6);
  }
  console.log(`MB/s=${median(rates).toFixed(0)} sum=${sum >>> 0}`);
}

function tsRate(mode: Mode, file: string, rounds: number, bytes: number, pin: boolean): number {
  const self = fileURLToPath(import.meta.url);
  const node = [process.execPath, "--import", "tsx", self, "--worker", mode, file, String(rounds)];
  const result = spawnSync(...pinned(pin, node[0]!, node.slice(1)), { encoding: "utf8" });
  const match = /MB\/s=(\d+) sum=(\d+)/.exec(result.stdout);
  if (result.status !== 0 || !match) throw new Error(`TS ${mode} failed: ${result.stderr}`);
  return Number(match[1]);
}

function cRate(mode: Mode, file: string, rounds: number, pin: boolean): number {
  const [command, args] = pinned(pin, path.join(binDir, "mmap_bench"), [file, mode]);
  // The C side: one warm-up pass, then `rounds` passes, each timed.
  const rates: number[] = [];
  spawnSync(command, [...args, "1"]);
  for (let i = 0; i < rounds; i++) {
    const result = spawnSync(command, [...args, "1"], { encoding: "utf8" });
    const match = /bytes=(\d+) ns=(\d+)/.exec(result.stdout);
    if (result.status !== 0 || !match) throw new Error(`mmap_bench failed: ${result.stderr}`);
    rates.push(Number(match[1]) / (Number(match[2]) / 1e9) / 1e6);
  }
  return median(rates);
}

if (process.argv[2] === "--worker") {
  const [, , , mode, file, rounds] = process.argv;
  const bytes = statSync(file!).size & ~3;
  worker(mode as Mode, file!, Number(rounds), bytes);
} else {
  const MIB = Number(process.argv[2] ?? (quick ? 32 : 128));
  const ROUNDS = Number(process.argv[3] ?? (quick ? 2 : 5));
  const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-bench-mmap-"));
  const file = path.join(dir, "big.bin");
  try {
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < block.length; i++) block[i] = (i * 7) % 255; // never 0xff
    writeFileSync(file, Buffer.concat(Array.from({ length: MIB }, () => block)));
    const bytes = MIB * 2 ** 20;
    console.log(`summing a ${MIB} MiB file (warm) as 32-bit words, median of ${ROUNDS} passes x 3`);
    const results: Record<string, number> = {};
    for (const pin of [false, true]) {
      const runs: Record<string, number[]> = {
        "ts mmap": [],
        "c mmap": [],
        "ts read": [],
        "c read": [],
        "ts scan": [],
        "c scan": [],
      };
      for (let i = 0; i < 3; i++) {
        runs["ts mmap"]!.push(tsRate("mmap", file, ROUNDS, bytes, pin));
        runs["c mmap"]!.push(cRate("mmap", file, ROUNDS, pin));
        runs["ts read"]!.push(tsRate("read", file, ROUNDS, bytes, pin));
        runs["c read"]!.push(cRate("read", file, ROUNDS, pin));
        runs["ts scan"]!.push(tsRate("scan", file, ROUNDS, bytes, pin));
        runs["c scan"]!.push(cRate("scan", file, ROUNDS, pin));
      }
      const label = pin ? "pinned (taskset -c 0)" : "unpinned";
      console.log(`  ${label}:`);
      for (const [name, rates] of Object.entries(runs)) {
        const m = median(rates);
        results[`${name} ${pin ? "pinned" : "unpinned"}`] = m;
        console.log(
          `    ${name.padEnd(8)} ${m.toFixed(0).padStart(6)} MB/s   (runs: ${rates.map((r) => r.toFixed(0)).join(", ")})`,
        );
      }
    }
    const ts = results["ts mmap pinned"]!;
    const c = results["c mmap pinned"]!;
    const tsRead = results["ts read pinned"]!;
    const tsScan = results["ts scan pinned"]!;
    const cScan = results["c scan pinned"]!;
    console.log(resultLine("mmap.scan", { ts: tsScan, c: cScan }, true, 0));
    console.log(resultLine("mmap.read", { ts, c }, true, 0));
    console.log(`mmap.vs-read ts=${ts.toFixed(0)} ratio=${(ts / tsRead).toFixed(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
