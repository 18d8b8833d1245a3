/**
 * `npm run bench -- fifo`: named pipes between two unrelated processes (each
 * started on its own by this script, finding the other by the FIFO's name
 * only), the library against C doing the same work in the same run.
 *
 *   fifo.throughput  MiB/s of 64 KiB writes through a FIFO, TS writer and
 *                    reader (Fifo.write/readInto one 64 KiB buffer, awaited)
 *                    vs C (write/read)
 *   fifo.roundtrip   µs per whole seqnum request (mkfifo, open the server's
 *                    FIFO, write {pid, seqLen}, open its own, read {seqNum},
 *                    close, unlink): TS client and server vs C client and server
 *
 * Each figure is measured pinned (both processes on CPU 0, `taskset -c 0`)
 * and unpinned, the median of 5 runs; the last two lines are pinned. The
 * same file is also the TypeScript peer (`--peer source|sink|rt ...`).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { binDir, mkfifo, openFifo, seqnumRequest } from "ipc-lab";
import { medianOf, now, pin, pinnings, resultLine, scaled } from "./lib/measure.ts";

const self = fileURLToPath(import.meta.url);
const MIB = scaled(512, 32);
const CHUNK = 64 * 1024;
const ROUNDS = scaled(2000);
const cli = path.resolve(path.dirname(self), "..", "lib", "dist", "seqnum-cli.js");

async function peer(kind: string, args: string[]): Promise<void> {
  if (kind === "source") {
    const fifo = await openFifo(args[0]!, "w");
    const chunk = Buffer.alloc(CHUNK, "x");
    const total = Number(args[1]) * 1024 * 1024;
    for (let done = 0; done < total;) done += await fifo.write(chunk);
    fifo.close();
  } else if (kind === "sink") {
    const fifo = await openFifo(args[0]!, "r");
    let total = 0;
    let start = 0;
    const buffer = Buffer.allocUnsafe(CHUNK); // one buffer, as the C sink has
    for (;;) {
      const n = await fifo.readInto(buffer);
      if (n === 0) break;
      if (total === 0) start = now();
      total += n;
    }
    fifo.close();
    console.log(`${total} ${(now() - start).toFixed(0)}`);
  } else if (kind === "rt") {
    const [serverPath, clientTemplate, rounds] = args;
    const start = now();
    for (let i = 0; i < Number(rounds); i++) await seqnumRequest(1, { serverPath, clientTemplate });
    console.log(((now() - start) / Number(rounds)).toFixed(2));
  }
}

const tsPeer = (kind: string, ...args: string[]): [string, string[]] => [
  process.execPath,
  [...process.execArgv, self, "--peer", kind, ...args],
];
const cBench = (...args: string[]): [string, string[]] => [path.join(binDir, "fifo_bench"), args];

/** Throughput in MiB/s: a source and a sink started separately on one FIFO. */
function throughput(pinned: boolean, lang: "ts" | "c"): number {
  const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-bench-fifo-"));
  try {
    const fifo = path.join(dir, "fifo");
    mkfifo(fifo);
    const [sf, sa] =
      lang === "ts" ? tsPeer("source", fifo, String(MIB)) : cBench("source", fifo, String(MIB));
    const source = spawn(...pin(pinned, sf, sa), { stdio: "inherit" });
    const [kf, ka] = lang === "ts" ? tsPeer("sink", fifo) : cBench("sink", fifo);
    const sink = spawnSync(...pin(pinned, kf, ka), {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    source.kill();
    const [bytes, us] = sink.stdout.trim().split(" ").map(Number);
    if (sink.status !== 0 || bytes !== MIB * 1024 * 1024)
      throw new Error(`sink failed: ${sink.stdout}`);
    return bytes! / (1024 * 1024) / (us! / 1e6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** µs per seqnum request: a server and a client loop started separately. */
function roundtrip(pinned: boolean, lang: "ts" | "c"): number {
  const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-bench-fifo-"));
  const serverPath = path.join(dir, "seqnum_sv");
  const template = path.join(dir, "seqnum_cl.%ld");
  const [vf, va] =
    lang === "ts"
      ? [process.execPath, [cli, "server", "-s", serverPath, "-c", template]]
      : [path.join(binDir, "seqnum_server"), ["-s", serverPath, "-c", template]];
  const server = spawn(...pin(pinned, vf, va as string[]), {
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    // The server makes its FIFO first: wait for it (on the file, not on time).
    // A server that failed to start is a zombie here (this loop keeps Node
    // from reaping it): stop at once with what it said.
    for (let i = 0; ; i++) {
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"));
      if (state?.[1] === "Z" || i === 10_000)
        throw new Error(`the ${lang} seqnum server did not start`);
      if (spawnSync("test", ["-p", serverPath]).status === 0) break;
      spawnSync("sleep", ["0.005"]);
    }
    const [cf, ca] =
      lang === "ts"
        ? tsPeer("rt", serverPath, template, String(ROUNDS))
        : cBench("rt", serverPath, template, String(ROUNDS));
    const client = spawnSync(...pin(pinned, cf, ca), {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    const value = Number(client.stdout.trim());
    if (client.status !== 0 || !Number.isFinite(value))
      throw new Error(`client failed: ${client.stdout}`);
    return value;
  } finally {
    server.kill("SIGTERM");
    spawnSync("sleep", ["0.1"]);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [mode, kind, ...args] = process.argv.slice(2);
  if (mode === "--peer") return peer(kind!, args);
  for (const { pinned, label } of pinnings) {
    const tp = {
      ts: medianOf(() => throughput(pinned, "ts")),
      c: medianOf(() => throughput(pinned, "c")),
    };
    const rt = {
      ts: medianOf(() => roundtrip(pinned, "ts")),
      c: medianOf(() => roundtrip(pinned, "c")),
    };
    console.log(
      `# ${label}: throughput in MiB/s (64 KiB writes, ${MIB} MiB), round trip in µs per request`,
    );
    console.log(resultLine("fifo.throughput", tp, pinned));
    console.log(resultLine("fifo.roundtrip", rt, pinned));
  }
}

await main();
