/**
 * `npm run bench -- fifo`: named pipes between two unrelated processes (each
 * started on its own by this script, finding the other by the FIFO's name
 * only), the library against C doing the same work in the same run.
 *
 *   fifo.throughput.async  MiB/s of 64 KiB writes, the awaitable Fifo
 *                          (openFifo, write/readInto awaited on Node's loop)
 *                          vs C (write/read): reported, no goal
 *   fifo.roundtrip.async   µs per whole seqnum request, seqnumRequest and
 *                          SeqnumServer (awaitable) vs C: reported, no goal
 *   fifo.throughput        MiB/s of 64 KiB writes, blocking like C's:
 *                          openFifoSync, writeSync/readIntoSync into one
 *                          64 KiB buffer, vs C (write/read)
 *   fifo.roundtrip         µs per whole seqnum request (mkfifo, open the
 *                          server's FIFO, write {pid, seqLen}, open its own,
 *                          read {seqNum}, close, unlink): seqnumRequestSync
 *                          and serveSeqnumSync vs C client and server
 *
 * The goal lines compare blocking calls with blocking calls: the C baseline
 * makes them, and the TypeScript side is the library's public blocking form
 * (for programs that are not an event loop, as these peers are) making the
 * same system calls. The awaitable forms pay for the event loop: per 64 KiB
 * chunk an epoll_pwait and a trip through libuv, a callback and a promise,
 * on each side, where C's blocking write/read sleep in the kernel; per
 * request, the same for three waits. Their lines keep that figure visible.
 * What stays between fifo.roundtrip and C, measured on this VM: the
 * library's own JavaScript is now a few µs a request (a CPU profile of the
 * blocking server spends its time in the read, open and write themselves,
 * waiting for the client); a client of Node's own fs.openSync/readSync/
 * writeSync (the same calls, no library) already takes ~1.5x C's against
 * the C server. Each request switches the one CPU between the two processes
 * about four times, and a Node process is dearer to switch to than a small
 * C program (likely its threads and larger working set). The TypeScript
 * client makes C's calls plus a stat before and an fstat after each open
 * (refusing what is not a FIFO, and a FIFO swapped meanwhile). The server's
 * reply open tries O_NONBLOCK first, and the client is nearly always waiting
 * in its own open by then: stat, open, fcntl (blocking again) and fstat,
 * with no timer, where C's arms alarm(2) around a blocking open. Both
 * blocking forms hold bare descriptors and one buffer each way, as C does:
 * a Fifo object per open (its registration with the garbage collector, its
 * checks on each call) cost the server about 5 µs a request and the client
 * 4, on this VM. The server's log line is one write(2) through the addon,
 * as C's printf + fflush (console.log or fs.writeSync cost 3-4 µs a
 * request). strace -f -c, per request: C server 7 calls, TS server 8; C client
 * 8, TS client 12. Each client, C's too, first makes REQUEST_WARMUP untimed
 * requests: timed from the first, fifo.roundtrip measured V8's warm-up
 * (5.1, then 2.2-2.5 on this VM).
 *
 * The FIFOs are made in tmpdir(). Where that is ext4 (this VM), each
 * request's mkfifo scans past the inodes freed in the last seconds
 * (ext4's recently_deleted, perf: a quarter of the C client's time), so
 * the C baseline drifts with what ran before it (40-62 µs a request in one
 * session), and a client that had made 5000 requests more than the other
 * paid for them in every mkfifo: both warm up alike, and the sides take
 * turns. On a tmpfs (TMPDIR=/dev/shm) both are cheaper and steadier: C 33
 * µs, TS 52 (84 before the bare descriptors and the addon's write).
 *
 * Each figure is measured pinned (both processes on CPU 0, `taskset -c 0`)
 * and unpinned, the median of 5 runs, the sides taking turns; the last two
 * lines are pinned. The same file is also the TypeScript peer (`--peer
 * source|sink|rt ... sync|async`).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { binDir, mkfifo, openFifo, openFifoSync, seqnumRequest, seqnumRequestSync } from "ipc-lab";
import { median, now, pin, pinnings, resultLine, RUNS, scaled, WARMUP } from "./lib/measure.ts";

const self = fileURLToPath(import.meta.url);
const MIB = scaled(512, 32);
const CHUNK = 64 * 1024;
const ROUNDS = scaled(5000);
// A request is ~50 µs of several system calls: a quarter of a round-trip loop's warm-up will do.
const REQUEST_WARMUP = Math.round(WARMUP / 4);
const cli = path.resolve(path.dirname(self), "..", "lib", "dist", "seqnum-cli.js");

type Form = "sync" | "async";

async function peer(kind: string, form: Form, args: string[]): Promise<void> {
  const sync = form === "sync";
  if (kind === "source") {
    const chunk = Buffer.alloc(CHUNK, "x");
    const total = Number(args[1]) * 1024 * 1024;
    if (sync) {
      const fifo = openFifoSync(args[0]!, "w");
      for (let done = 0; done < total;) done += fifo.writeSync(chunk);
      fifo.close();
    } else {
      const fifo = await openFifo(args[0]!, "w");
      for (let done = 0; done < total;) done += await fifo.write(chunk);
      fifo.close();
    }
  } else if (kind === "sink") {
    const fifo = sync ? openFifoSync(args[0]!, "r") : await openFifo(args[0]!, "r");
    let total = 0;
    let start = 0;
    const buffer = Buffer.allocUnsafe(CHUNK); // one buffer, as the C sink has
    for (;;) {
      const n = sync ? fifo.readIntoSync(buffer) : await fifo.readInto(buffer);
      if (n === 0) break;
      if (total === 0) start = now();
      total += n;
    }
    fifo.close();
    console.log(`${total} ${(now() - start).toFixed(0)}`);
  } else if (kind === "rt") {
    const [serverPath, clientTemplate, rounds] = args;
    const paths = { serverPath, clientTemplate };
    // Untimed requests first: V8 optimises the client's and the server's code.
    let start = now();
    for (let i = -REQUEST_WARMUP; i < Number(rounds); i++) {
      if (i === 0) start = now();
      if (sync) seqnumRequestSync(1, paths);
      else await seqnumRequest(1, paths);
    }
    console.log(((now() - start) / Number(rounds)).toFixed(2));
  }
}

const tsPeer = (kind: string, form: Form, ...args: string[]): [string, string[]] => [
  process.execPath,
  [...process.execArgv, self, "--peer", kind, form, ...args],
];
const cBench = (...args: string[]): [string, string[]] => [path.join(binDir, "fifo_bench"), args];

/** Throughput in MiB/s: a source and a sink started separately on one FIFO. */
type Side = Form | "c";

function throughput(pinned: boolean, lang: Side): number {
  const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-bench-fifo-"));
  try {
    const fifo = path.join(dir, "fifo");
    mkfifo(fifo);
    const [sf, sa] =
      lang === "c"
        ? cBench("source", fifo, String(MIB))
        : tsPeer("source", lang, fifo, String(MIB));
    const source = spawn(...pin(pinned, sf, sa), { stdio: "inherit" });
    const [kf, ka] = lang === "c" ? cBench("sink", fifo) : tsPeer("sink", lang, fifo);
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
function roundtrip(pinned: boolean, lang: Side): number {
  const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-bench-fifo-"));
  const serverPath = path.join(dir, "seqnum_sv");
  const template = path.join(dir, "seqnum_cl.%ld");
  const [vf, va] =
    lang === "c"
      ? [path.join(binDir, "seqnum_server"), ["-s", serverPath, "-c", template]]
      : [
          process.execPath,
          [cli, "server", "-s", serverPath, "-c", template, ...(lang === "sync" ? ["-b"] : [])],
        ];
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
      lang === "c"
        ? cBench("rt", serverPath, template, String(ROUNDS), String(REQUEST_WARMUP))
        : tsPeer("rt", lang, serverPath, template, String(ROUNDS));
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
  const [mode, kind, form, ...args] = process.argv.slice(2);
  if (mode === "--peer") return peer(kind!, form as Form, args);
  for (const { pinned, label } of pinnings) {
    // The sides take turns, run by run: this VM's speed drifts over a
    // minute, and a side measured all at once after the other takes the
    // drift into its ratio (fifo.throughput read 0.75 to 1.07 in one hour).
    const tpRuns: Record<Side, number[]> = { async: [], sync: [], c: [] };
    const rtRuns: Record<Side, number[]> = { async: [], sync: [], c: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const side of ["async", "sync", "c"] as const) {
        tpRuns[side].push(throughput(pinned, side));
        rtRuns[side].push(roundtrip(pinned, side));
      }
    }
    const medians = (runs: Record<Side, number[]>) => ({
      async: median(runs.async),
      sync: median(runs.sync),
      c: median(runs.c),
    });
    const [tp, rt] = [medians(tpRuns), medians(rtRuns)];
    console.log(
      `# ${label}: throughput in MiB/s (64 KiB writes, ${MIB} MiB), round trip in µs per request`,
    );
    console.log(resultLine("fifo.throughput.async", { ts: tp.async, c: tp.c }, pinned));
    console.log(resultLine("fifo.roundtrip.async", { ts: rt.async, c: rt.c }, pinned));
    console.log(resultLine("fifo.throughput", { ts: tp.sync, c: tp.c }, pinned));
    console.log(resultLine("fifo.roundtrip", { ts: rt.sync, c: rt.c }, pinned));
  }
}

await main();
