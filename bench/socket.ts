/**
 * `npm run bench -- socket`: sockets between two processes, the library
 * against a C baseline measured in the same run (native/c/socket_bench.c).
 *
 *   socket.tcp.roundtrip.async   1-byte round trip over 127.0.0.1 (TCP_NODELAY), µs:
 *                                awaitable Socket write/readInto vs C write/read
 *   socket.unix.roundtrip.async  the same over a Unix-domain stream socket, µs
 *   socket.tcp.throughput.async  64 KiB writes over TCP, MB/s: awaited write, the
 *                                sink's awaited readInto, vs C
 *   socket.tcp.roundtrip         the same, writeSync/readIntoSync vs C write/read
 *   socket.unix.roundtrip        the same over a Unix-domain socket
 *   socket.tcp.throughput        64 KiB writeSync into readIntoSync vs C (goal ≥ 0.8)
 *   socket.dateserver            the lecture's date server (one client at a time,
 *                                accept/println/close) under DATE_CLIENTS concurrent
 *                                clients (native/c/date_load.c), requests per second:
 *                                TypeScript vs the Java DateServer (and C's date_server)
 *
 * The round-trip and throughput lines compare blocking with blocking: C's
 * read/write block in the kernel, and so do the streams' Sync forms, which
 * make the same calls (strace -c -f: one read and one write per round trip
 * and side, as C). The awaitable path already makes few calls of its own
 * (pwritev2/preadv2 with RWF_NOWAIT, one each, an epoll_pwait per wait; in a
 * round trip also the read that finds nothing), and the rest of its cost is
 * the event loop's: each wait returns through libuv, a callback into
 * JavaScript and the promise chain. Its figures stay on the `.async` lines,
 * against the same C numbers. The date server is the lecture's program as a
 * student writes it (awaited accept, println), so it stays awaitable.
 *
 * Each figure is measured with every process pinned to CPU 0 (`taskset -c 0`)
 * and unpinned; each is the median of RUNS runs. The last lines give the
 * pinned figures. ratio is ts/c (ts/java for the date server): for round
 * trips lower is better, for throughput and requests higher is.
 *
 * The same file is also the measuring process (`--measure KIND`) and its
 * TypeScript peers (`--peer KIND ...`); `--only KIND` ("tcp", "date"…)
 * measures one kind's TypeScript figures (a quick look).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { binDir, ServerSocket, Socket } from "ipc-lab";
import { HEAVY_WARMUP as WARMUP } from "./lib/measure.ts";

const self = fileURLToPath(import.meta.url);
const javaDir = path.join(binDir, "..", "java");
const THROUGHPUT_MIB = 512;
const CHUNK = 64 * 1024;
const ROUNDS = 20_000;
const RUNS = 5;
const DATE_CLIENTS = 16;
const DATE_REQUESTS = 2000;

const now = () => Number(process.hrtime.bigint()) / 1e3; // µs

function startPeer(args: string[]): ChildProcess {
  return spawn(process.execPath, [...process.execArgv, self, "--peer", ...args], {
    stdio: ["ignore", "inherit", "inherit"],
  });
}

function ended(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) =>
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`peer ended with ${code ?? signal}`)),
    ),
  );
}

async function connectTo(where: string): Promise<Socket> {
  return where.startsWith("@")
    ? Socket.connectUnix({ abstract: where.slice(1) })
    : Socket.connect("127.0.0.1", Number(where), { noDelay: true });
}

async function peer(kind: string, where: string): Promise<void> {
  const sync = kind.endsWith("-sync");
  if (kind.startsWith("echo")) {
    const sock = await connectTo(where);
    const buffer = Buffer.allocUnsafe(64);
    if (sync) {
      for (let n = sock.input.readIntoSync(buffer); n > 0; n = sock.input.readIntoSync(buffer))
        sock.output.writeSync(buffer.subarray(0, n));
    } else {
      for (let n = await sock.input.readInto(buffer); n > 0; n = await sock.input.readInto(buffer))
        await sock.output.write(buffer.subarray(0, n));
    }
    sock.close();
  } else if (kind.startsWith("sink")) {
    const sock = await connectTo(where);
    const buffer = Buffer.allocUnsafe(CHUNK);
    let total = 0;
    if (sync) {
      for (let n = sock.input.readIntoSync(buffer); n > 0; n = sock.input.readIntoSync(buffer))
        total += n;
    } else {
      for (let n = await sock.input.readInto(buffer); n > 0; n = await sock.input.readInto(buffer))
        total += n;
    }
    buffer.writeDoubleLE(total);
    await sock.output.write(buffer.subarray(0, 8));
    sock.close();
  } else if (kind === "date-server") {
    // The lecture's DateServer, line for line (see native/java/DateServer.java).
    const sock = new ServerSocket(0, { host: "127.0.0.1", backlog: 128 });
    console.log(`I am listening on port ${sock.localPort}`);
    for (;;) {
      const client = await sock.accept();
      console.log("New client is connected");
      await client.getOutputStream().println(new Date().toString());
      client.close();
    }
  }
}

/** One measurement in this process (`tcp`, `unix`, `throughput`, each `-async` too); prints one number. */
async function measure(kind: string): Promise<number> {
  const sync = !kind.endsWith("-async");
  const what = kind.replace(/-async$/, "");
  const unix = what === "unix";
  const server = unix
    ? ServerSocket.unix({ abstract: `ipc-lab-bench-${process.pid}` }, { backlog: 1 })
    : new ServerSocket(0, { host: "127.0.0.1", backlog: 1 });
  const where = unix ? `@ipc-lab-bench-${process.pid}` : String(server.localPort);
  const peerKind = `${what === "throughput" ? "sink" : "echo"}${sync ? "-sync" : "-async"}`;
  const child = startPeer([peerKind, where]);
  const exit = ended(child);
  const conn = await server.accept({ timeout: 20_000 });
  server.close();
  if (!unix) conn.setNoDelay(true);
  let result: number;
  if (what === "throughput") {
    const chunk = Buffer.alloc(CHUNK, "x");
    const total = THROUGHPUT_MIB * 1024 * 1024;
    const start = now();
    if (sync) for (let sent = 0; sent < total; sent += CHUNK) conn.output.writeSync(chunk);
    else for (let sent = 0; sent < total; sent += CHUNK) await conn.output.write(chunk);
    conn.shutdownOutput();
    const answer = Buffer.alloc(8);
    let got = 0;
    while (got < 8) got += await conn.input.readInto(answer.subarray(got));
    const seconds = (now() - start) / 1e6;
    if (answer.readDoubleLE(0) !== total)
      throw new Error(`the sink read ${answer.readDoubleLE(0)} of ${total}`);
    result = total / seconds / 1e6;
  } else {
    const byte = Buffer.from("p");
    const back = Buffer.allocUnsafe(1);
    let start = 0;
    for (let i = -WARMUP; i < ROUNDS; i++) {
      if (i === 0) start = now();
      if (sync) {
        conn.output.writeSync(byte);
        if (conn.input.readIntoSync(back) !== 1) throw new Error("the echo peer went away");
      } else {
        await conn.output.write(byte);
        if ((await conn.input.readInto(back)) !== 1) throw new Error("the echo peer went away");
      }
    }
    result = (now() - start) / ROUNDS;
  }
  conn.close();
  await exit;
  return result;
}

/** The median of RUNS runs of a program that prints one number. */
function run(pinned: boolean, command: string, args: string[]): number {
  const values = Array.from({ length: RUNS }, () => runOnce(pinned, command, args)).sort(
    (a, b) => a - b,
  );
  return values[Math.floor(RUNS / 2)]!;
}

function runOnce(pinned: boolean, command: string, args: string[]): number {
  const [file, argv] = pinned ? ["taskset", ["-c", "0", command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const value = Number(result.stdout.trim().split("\n").pop());
  if (result.status !== 0 || !Number.isFinite(value)) {
    throw new Error(
      `${command} ${args.join(" ")} failed (status ${result.status}): ${result.stdout}`,
    );
  }
  return value;
}

/** Starts a date server (its output drained), learns its port from "I am listening on port N". */
function startDateServer(pinned: boolean, command: string, args: string[]) {
  const [file, argv] = pinned ? ["taskset", ["-c", "0", command, ...args]] : [command, args];
  const child = spawn(file, argv, { stdio: ["ignore", "pipe", "inherit"] });
  let text = "";
  const port = new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      if (text.length < 200) text += chunk.toString();
      const match = /listening on port (\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    child.on("exit", (code) => reject(new Error(`${command} ended (${code}) before listening`)));
  });
  return { child, port };
}

/** runOnce, but awaiting the program: this process keeps draining the server's output meanwhile. */
function runAsync(pinned: boolean, command: string, args: string[]): Promise<number> {
  const [file, argv] = pinned ? ["taskset", ["-c", "0", command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("close", (code) => {
      const value = Number(out.trim().split("\n").pop());
      if (code === 0 && Number.isFinite(value)) resolve(value);
      else reject(new Error(`${command} ${args.join(" ")} failed (status ${code}): ${out}`));
    });
  });
}

/** Requests per second a date server answers under DATE_CLIENTS concurrent clients (median of RUNS loads). */
async function dateServer(pinned: boolean, command: string, args: string[]): Promise<number> {
  const { child, port } = startDateServer(pinned, command, args);
  try {
    const load = [String(await port), String(DATE_CLIENTS), String(DATE_REQUESTS)];
    const date_load = path.join(binDir, "date_load");
    await runAsync(pinned, date_load, load); // a warm-up (Java's JIT, V8's)
    const values: number[] = [];
    for (let i = 0; i < RUNS; i++) values.push(await runAsync(pinned, date_load, load));
    return values.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null
        ? resolve(null)
        : child.on("exit", resolve),
    );
  }
}

const tsRun = (pinned: boolean, kind: string) =>
  run(pinned, process.execPath, [...process.execArgv, self, "--measure", kind]);
const cRun = (pinned: boolean, args: string[]) =>
  run(pinned, path.join(binDir, "socket_bench"), args);

async function main(): Promise<void> {
  const [mode, kind, where] = process.argv.slice(2);
  if (mode === "--peer") return peer(kind!, where!);
  if (mode === "--measure") {
    console.log((await measure(kind!)).toFixed(3));
    return;
  }
  const only = mode === "--only" ? kind : undefined; // a quick look at one kind ("tcp", "date"…)
  const hasJava = existsSync(path.join(javaDir, "DateServer.class"));
  const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
  for (const pinned of [false, true]) {
    const label = pinned ? "pinned (taskset -c 0)" : "unpinned";
    const c = {
      tcp: cRun(pinned, ["pingpong", "tcp", String(ROUNDS)]),
      unix: cRun(pinned, ["pingpong", "unix", String(ROUNDS)]),
      tp: cRun(pinned, ["throughput", String(THROUGHPUT_MIB), String(CHUNK)]),
    };
    const ts = (k: string) => (only === undefined || k.startsWith(only) ? tsRun(pinned, k) : NaN);
    const async = { tcp: ts("tcp-async"), unix: ts("unix-async"), tp: ts("throughput-async") };
    const tcp = { ts: ts("tcp"), c: c.tcp };
    const unix = { ts: ts("unix"), c: c.unix };
    const tp = { ts: ts("throughput"), c: c.tp };
    const date =
      only !== undefined && only !== "date"
        ? { ts: NaN, java: NaN, c: NaN }
        : {
            ts: await dateServer(pinned, process.execPath, [
              ...process.execArgv,
              self,
              "--peer",
              "date-server",
            ]),
            java: hasJava
              ? await dateServer(pinned, "java", ["-cp", javaDir, "DateServer", "0"])
              : NaN,
            c: await dateServer(pinned, path.join(binDir, "date_server"), ["0"]),
          };
    const line = (name: string, v: { ts: number; c: number }) =>
      `${name} ts=${f(v.ts)} c=${f(v.c)} ratio=${(v.ts / v.c).toFixed(2)}`;
    const lines = [
      // The awaitable figures first (no goal), then blocking vs blocking.
      line("socket.tcp.roundtrip.async", { ts: async.tcp, c: c.tcp }),
      line("socket.unix.roundtrip.async", { ts: async.unix, c: c.unix }),
      line("socket.tcp.throughput.async", { ts: async.tp, c: c.tp }),
      line("socket.tcp.roundtrip", tcp),
      line("socket.unix.roundtrip", unix),
      line("socket.tcp.throughput", tp),
      `socket.dateserver ts=${f(date.ts)} java=${hasJava ? f(date.java) : "n/a (no JDK)"} ` +
        `ratio=${hasJava ? (date.ts / date.java).toFixed(2) : "n/a"}`,
    ];
    console.log(
      `# ${label}: round trips in µs, throughput in MB/s (64 KiB writes, ${THROUGHPUT_MIB} MiB), ` +
        `date server in requests/s (${DATE_CLIENTS} concurrent clients; C's date_server: ${f(date.c)})`,
    );
    for (const l of lines) console.log(pinned ? l : `${l}  (unpinned)`);
  }
}

await main();
