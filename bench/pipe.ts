/**
 * `npm run bench -- pipe`: pipes between two processes, the library against
 * a baseline measured in the same run.
 *
 *   pipe.throughput      64 KiB writes, TypeScript (writeSync/readSync) vs C
 *   pipe.pingpong.sync   1-byte round trip, writeSync/readSync vs C
 *   pipe.pingpong.async  1-byte round trip, awaitable write/read vs Node's
 *                        child_process stdio pipe (a socketpair) with 'data' events
 *
 * Each figure is measured twice: with both processes pinned to CPU 0
 * (`taskset -c 0`: on a 2-vCPU VM, waking a process on the other CPU costs
 * ~20 µs each way) and unpinned; each is the median of 5 runs. The last
 * three lines give the pinned figures.
 *
 * The same file is also the measuring process (`--measure KIND`) and its
 * TypeScript peer (`--peer KIND`).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  binDir,
  close,
  pipe,
  read,
  readIntoSync,
  readSync,
  spawnWithFds,
  write,
  writeSync,
} from "ipc-lab";
import { now, pinnings, resultLine, run, runSelf, scaled, WARMUP } from "./lib/measure.ts";

const self = fileURLToPath(import.meta.url);
const THROUGHPUT_MIB = scaled(512, 64);
const CHUNK = 64 * 1024;
const ROUNDS = { sync: scaled(50_000), async: scaled(20_000) };

/** Starts this file as the TypeScript peer, its fd 0 and 1 the given ends. */
function startPeer(kind: string, input: number, output: number) {
  return spawnWithFds(process.execPath, [...process.execArgv, self, "--peer", kind], {
    fds: { 0: input, 1: output },
  });
}

async function peer(kind: string): Promise<void> {
  if (kind === "sink") {
    const buffer = Buffer.allocUnsafe(CHUNK);
    writeSync(1, "r"); // ready: the clock starts now, not before Node has started
    let total = 0;
    for (let n = readIntoSync(0, buffer); n > 0; n = readIntoSync(0, buffer)) total += n;
    buffer.writeDoubleLE(total);
    writeSync(1, buffer.subarray(0, 8));
  } else if (kind === "echo-sync") {
    for (let byte = readSync(0, 1); byte.length > 0; byte = readSync(0, 1)) writeSync(1, byte);
  } else if (kind === "echo-async") {
    for (let byte = await read(0, 1); byte.length > 0; byte = await read(0, 1))
      await write(1, byte);
  } else if (kind === "echo-node") {
    process.stdin.on("data", (data) => process.stdout.write(data));
  }
}

/** Runs one measurement in this process; prints one number. */
async function measure(kind: string): Promise<number> {
  const [downR, downW] = pipe();
  const [upR, upW] = pipe();
  const peerKind = { throughput: "sink", sync: "echo-sync", async: "echo-async" }[kind];
  if (peerKind === undefined) throw new Error(`unknown measurement ${kind}`);
  const child = startPeer(peerKind, downR, upW);
  close(downR);
  close(upW);
  let result: number;
  if (kind === "throughput") {
    const chunk = Buffer.alloc(CHUNK, "x");
    const total = THROUGHPUT_MIB * 1024 * 1024;
    readSync(upR, 1);
    const start = now();
    for (let sent = 0; sent < total; sent += CHUNK) writeSync(downW, chunk);
    close(downW);
    const got = readSync(upR, 8).readDoubleLE(0);
    const seconds = (now() - start) / 1e6;
    if (got !== total) throw new Error(`peer read ${got} of ${total} bytes`);
    result = total / seconds / 1e6;
  } else {
    const byte = Buffer.from("p");
    const rounds = kind === "sync" ? ROUNDS.sync : ROUNDS.async;
    let start = 0;
    for (let i = -WARMUP; i < rounds; i++) {
      if (i === 0) start = now();
      if (kind === "sync") {
        writeSync(downW, byte);
        readSync(upR, 1);
      } else {
        await write(downW, byte);
        await read(upR, 1);
      }
    }
    result = (now() - start) / rounds;
    close(downW);
  }
  close(upR);
  const status = await child.wait();
  if (status.kind !== "exited" || status.code !== 0) {
    throw new Error(`peer ended ${JSON.stringify(status)}: ${(await child.output()).stderr}`);
  }
  return result;
}

/** Node's own answer: child_process.spawn's stdio pipes and 'data' events. */
async function measureNode(): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, self, "--peer", "echo-node"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const byte = Buffer.from("p");
  const rounds = ROUNDS.async;
  let i = -WARMUP;
  let start = 0;
  const done = new Promise<number>((resolve) => {
    child.stdout.on("data", (data: Buffer) => {
      // Socket reads may coalesce: count bytes, not events.
      for (let k = 0; k < data.length; k++) {
        i++;
        if (i === 0) start = now();
      }
      if (i >= rounds) resolve((now() - start) / rounds);
      else child.stdin.write(byte);
    });
  });
  child.stdin.write(byte);
  const result = await done;
  child.stdin.end();
  await new Promise((resolve) => child.on("exit", resolve));
  return result;
}

const tsRun = (pinned: boolean, kind: string) => runSelf(self, pinned, "--measure", kind);
const cRun = (pinned: boolean, program: string, args: string[]) =>
  run(pinned, path.join(binDir, program), args);

async function main(): Promise<void> {
  const [mode, kind] = process.argv.slice(2);
  if (mode === "--peer") return peer(kind!);
  if (mode === "--measure") {
    const value = kind === "node" ? await measureNode() : await measure(kind!);
    console.log(value.toFixed(3));
    return;
  }
  for (const { pinned, label } of pinnings) {
    const tp = {
      ts: tsRun(pinned, "throughput"),
      c: cRun(pinned, "pipe_throughput", [String(THROUGHPUT_MIB), String(CHUNK)]),
    };
    const sync = {
      ts: tsRun(pinned, "sync"),
      c: cRun(pinned, "pipe_pingpong", [String(ROUNDS.sync)]),
    };
    const async = { ts: tsRun(pinned, "async"), node: tsRun(pinned, "node") };
    console.log(
      `# ${label}: throughput in MB/s (64 KiB writes, ${THROUGHPUT_MIB} MiB), round trips in µs`,
    );
    console.log(resultLine("pipe.throughput", tp, pinned));
    console.log(resultLine("pipe.pingpong.sync", sync, pinned));
    console.log(resultLine("pipe.pingpong.async", async, pinned));
  }
}

await main();
