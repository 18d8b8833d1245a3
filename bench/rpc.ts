/**
 * `npm run bench -- rpc [--fuzz [N]]`: ONC RPC and XDR, the library against
 * C (libtirpc), gRPC and another XDR library, measured in the same run.
 *
 *   rpc.null     NULL-procedure round trip over TCP (µs): TS client -> TS
 *                server (another process) vs C client -> C server (both
 *                rpcgen + libtirpc, native/c/rpc); goal ratio ≤ 1.5. C's
 *                clnt_call blocks (write, poll, read), so the TS client here
 *                is the library's blocking form, RpcClient.callSync, making
 *                the same system calls (with a time-out, as C's 10 s); C's
 *                svc_run blocks in poll, so the server is RpcServer.serveSync
 *                (poll, recvfrom, sendto per call, no event loop).
 *   rpc.null.loop  the same client against RpcServer.listen() on Node's
 *                event loop (the server chapter 09 runs): no goal.
 *   rpc.null.async  the same with the awaitable `await client.call()` vs
 *                the same C pair: no goal, printed first to keep the event
 *                loop's own cost visible.
 *                System calls per NULL call (strace -c -f, 20 000 calls):
 *                  C client (libtirpc)   write, poll, read, 2 rt_sigprocmask
 *                  TS callSync           write, poll, read
 *                  TS call (awaitable)   write, read, 2 epoll_pwait (libuv's
 *                                        loop: one more turn per call)
 *                  C server (svc_run)    2 poll, read, write
 *                  TS server (RpcServer) epoll_pwait, recvfrom, sendto (on
 *                                        net.Socket it was epoll_pwait, read,
 *                                        write, and ~3 µs more per call in
 *                                        Node's stream machinery)
 *                The TypeScript sides make no more calls than C's; what
 *                remains is user time: the loop's turn and the server's
 *                dispatch, the awaiting client's promise and whenStopped.
 *                The rpc.null.* lines before them give TS -> C, C -> TS and
 *                UDP, blocking and awaitable.
 *   rpc.vs-grpc  the same empty round trip with @grpc/grpc-js unary calls
 *                (HTTP/2, a server in another process, bytes passed through
 *                unchanged: no protobuf cost counted) vs TS -> TS, both
 *                awaitable (gRPC has no blocking client); goal ≤ 0.2.
 *   xdr.encode   a ~300-byte struct (bench/rpc-sample.x) to bytes, the
 *   xdr.decode   codec ipc-lab's rpcgen writes vs @stellar/js-xdr's (ns per
 *                struct); goal ≤ 1, at least as fast as the peer.
 * Each figure is the median of RUNS runs, unpinned and with every process
 * pinned to CPU 0 (`taskset -c 0`); the rpc lines give the pinned figures.
 * --fuzz runs the decoder and the
 * server fuzzers (test/fixtures/xdr-fuzz.ts, rpc-fuzz.ts) with N inputs
 * each (default 10^6) first and prints their results.
 *
 * The same file is also the TypeScript and gRPC servers (`--peer ts|grpc`).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { median, pin, RUNS, resultLine, scaled, HEAVY_WARMUP as WARMUP } from "./lib/measure.ts";
import {
  binDir,
  rpcgen,
  RpcClient,
  RpcServer,
  XdrWriter,
  xdr,
  xdrDecode,
  type XdrType,
} from "ipc-lab";

const self = fileURLToPath(import.meta.url);
const here = path.dirname(self);
const root = path.resolve(here, "..");
const SUM_PROG = 0x20000099; // native/c/rpc/sum.x
const SUM_VERS = 1;
// 12 round-trip kinds x RUNS runs x 2 pinnings: 10 000 calls each keeps the whole near 2 minutes.
const ROUNDS = scaled(10_000);
const require = createRequire(import.meta.url);

const fixed = (x: number) => x.toFixed(x < 10 ? 2 : 1);

// ---------------------------------------------------------------- peers

async function peer(kind: string): Promise<void> {
  if (kind === "ts" || kind === "ts-sync") {
    const server = new RpcServer().add({ prog: SUM_PROG, vers: SUM_VERS, procedures: [] });
    // serveSync blocks this process until SIGTERM ends it (stop()).
    if (kind === "ts-sync")
      server.serveSync({ onListening: (p) => console.log(JSON.stringify(p)) });
    const ports = await server.listen();
    console.log(JSON.stringify(ports));
  } else {
    const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
    const server = new grpc.Server();
    server.addService(grpcService(), {
      Null: (_call: unknown, callback: (e: null, r: Buffer) => void) => callback(null, EMPTY),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    console.log(JSON.stringify({ tcpPort: port }));
  }
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
}

const EMPTY = Buffer.alloc(0);
function grpcService() {
  const pass = (b: Buffer) => b;
  return {
    Null: {
      path: "/sum.Sum/Null",
      requestStream: false,
      responseStream: false,
      requestSerialize: pass,
      requestDeserialize: pass,
      responseSerialize: pass,
      responseDeserialize: pass,
    },
  };
}

async function start(
  file: string,
  args: string[],
): Promise<{ child: ChildProcess; tcpPort: number; udpPort: number }> {
  const child = spawn(file, args, { stdio: ["pipe", "pipe", "inherit"] });
  const first = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  return { child, ...(JSON.parse(first.value as string) as { tcpPort: number; udpPort: number }) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.stdin?.end();
  child.kill("SIGTERM");
  await exited;
}

// ---------------------------------------------------------------- measurements

/** µs per NULL call, the TS blocking client (callSync, C's 10 s time-out), `ROUNDS` calls. */
function tsNullSync(port: number, transport: "tcp" | "udp"): number {
  const client = RpcClient.connectSync({ port, transport, prog: SUM_PROG, vers: SUM_VERS });
  const options = { timeout: 10_000 };
  try {
    for (let i = 0; i < WARMUP; i++) client.callSync(0, xdr.void, undefined, xdr.void, options);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ROUNDS; i++) client.callSync(0, xdr.void, undefined, xdr.void, options);
    return Number(process.hrtime.bigint() - t0) / 1e3 / ROUNDS;
  } finally {
    client.close();
  }
}

/** µs per NULL call, TS awaitable client, `ROUNDS` calls one after another. */
async function tsNull(port: number, transport: "tcp" | "udp"): Promise<number> {
  const client = await RpcClient.connect({ port, transport, prog: SUM_PROG, vers: SUM_VERS });
  try {
    for (let i = 0; i < WARMUP; i++) await client.call(0, xdr.void, undefined, xdr.void);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ROUNDS; i++) await client.call(0, xdr.void, undefined, xdr.void);
    return Number(process.hrtime.bigint() - t0) / 1e3 / ROUNDS;
  } finally {
    client.close();
  }
}

/** µs per NULL call, the C client (it times itself). */
function cNull(port: number, transport: "tcp" | "udp"): number {
  const out = spawnSync(
    path.join(binDir, "sum_client"),
    ["-p", String(port), "-T", transport, "null", String(ROUNDS)],
    {
      encoding: "utf8",
    },
  );
  const m = /([\d.]+) us\/call/.exec(out.stdout);
  if (!m) throw new Error(`sum_client: ${out.stderr || out.stdout}`);
  return Number(m[1]);
}

async function grpcNull(port: number): Promise<number> {
  const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
  const Client = grpc.makeGenericClientConstructor(grpcService(), "Sum");
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as {
    Null(req: Buffer, cb: (e: Error | null) => void): void;
    close(): void;
  };
  const call = () =>
    new Promise<void>((resolve, reject) => client.Null(EMPTY, (e) => (e ? reject(e) : resolve())));
  try {
    for (let i = 0; i < WARMUP; i++) await call();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ROUNDS / 4; i++) await call();
    return Number(process.hrtime.bigint() - t0) / 1e3 / (ROUNDS / 4);
  } finally {
    client.close();
  }
}

interface Sample {
  id: number;
  stamp: bigint;
  value: number;
  valid: boolean;
  c: number;
  name: string;
  note: string;
  digest: Uint8Array;
  samples: number[];
}

function sampleValue(): Sample {
  return {
    id: 123456,
    stamp: 1_700_000_000_123n,
    value: 36.6,
    valid: true,
    c: 2,
    name: "sensor-hall-a-0042",
    note: "the lecture's Person, a String it references, and a list of ints",
    digest: Uint8Array.from({ length: 32 }, (_, i) => i),
    samples: Array.from({ length: 32 }, (_, i) => i * 1000 - 7),
  };
}

/** ns per encode and per decode of the sample struct, ipc-lab's generated codec and js-xdr's. */
async function xdrBench(): Promise<{
  encode: [number, number];
  decode: [number, number];
  size: number;
}> {
  // ipc-lab: the codec rpcgen writes for bench/rpc-sample.x.
  const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-bench-rpc-"));
  let codec: XdrType<Sample>;
  try {
    const file = path.join(dir, "rpc-sample.ts");
    const source = readFileSync(path.join(here, "rpc-sample.x"), "utf8");
    writeFileSync(
      file,
      rpcgen(source, { file: "rpc-sample.x", importFrom: require.resolve("ipc-lab") }),
    );
    codec = ((await import(pathToFileURL(file).href)) as { xdr_reading: XdrType<Sample> })
      .xdr_reading;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // @stellar/js-xdr: the same struct in its own definition language.
  const XDR = require("@stellar/js-xdr");
  const types = XDR.config((x: any) => {
    x.enum("Colour", { red: 0, green: 1, blue: 2 });
    x.struct("Reading", [
      ["id", x.int()],
      ["stamp", x.uhyper()],
      ["value", x.double()],
      ["valid", x.bool()],
      ["c", x.lookup("Colour")],
      ["name", x.string(64)],
      ["note", x.string(128)],
      ["digest", x.opaque(32)],
      ["samples", x.varArray(x.int(), 32)],
    ]);
  });
  const v = sampleValue();
  const peerValue = new types.Reading({
    id: v.id,
    stamp: XDR.UnsignedHyper.fromString(String(v.stamp)),
    value: v.value,
    valid: v.valid,
    c: types.Colour.blue(),
    name: v.name,
    note: v.note,
    digest: Buffer.from(v.digest),
    samples: v.samples,
  });
  const writer = new XdrWriter(512);
  const ours = () => {
    writer.reset();
    codec.encode(writer, v);
    return writer.bytes();
  };
  const bytes = ours();
  const peerBytes: Buffer = peerValue.toXDR();
  if (Buffer.compare(Buffer.from(bytes), peerBytes) !== 0)
    throw new Error("the two encodings differ");
  const time = (n: number, f: () => unknown) => {
    for (let i = 0; i < n / 10; i++) f();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    return Number(process.hrtime.bigint() - t0) / n;
  };
  const N = 100_000;
  const enc: [number[], number[]] = [[], []];
  const dec: [number[], number[]] = [[], []];
  for (let run = 0; run < RUNS; run++) {
    enc[0].push(time(N, ours));
    enc[1].push(time(N / 5, () => peerValue.toXDR()));
    dec[0].push(time(N, () => xdrDecode(codec, bytes)));
    dec[1].push(time(N / 5, () => types.Reading.fromXDR(peerBytes)));
  }
  return {
    encode: [median(enc[0]), median(enc[1])],
    decode: [median(dec[0]), median(dec[1])],
    size: bytes.length,
  };
}

async function fuzz(count: number): Promise<void> {
  const { fuzzXdr } = await import(
    pathToFileURL(path.join(root, "test/fixtures/xdr-fuzz.ts")).href
  );
  const { fuzzServer } = await import(
    pathToFileURL(path.join(root, "test/fixtures/rpc-fuzz.ts")).href
  );
  let t0 = Date.now();
  const x = fuzzXdr(count, 1);
  console.log(
    `fuzz.xdr runs=${x.runs} decoded=${x.decoded} rejected=${JSON.stringify(x.rejected)} failures=${x.failures.length} (${Date.now() - t0} ms)`,
  );
  const server = new RpcServer().add({ prog: SUM_PROG, vers: SUM_VERS, procedures: [] });
  const { udpPort } = await server.listen({ tcp: false });
  t0 = Date.now();
  const r = await fuzzServer(server, udpPort!, SUM_PROG, count, 1);
  await server.close();
  console.log(
    `fuzz.rpc sent=${r.sent} replies=${r.replies} byStatus=${JSON.stringify(r.byStatus)} failures=${r.failures.length} (${Date.now() - t0} ms)`,
  );
  for (const f of [...x.failures, ...r.failures].slice(0, 10)) console.log(`  ${f}`);
}

/** Medians (µs) of every NULL round trip, peers started here (they inherit this CPU affinity). */
async function measureNull(): Promise<Record<string, number>> {
  const ts = await start(process.execPath, [...process.execArgv, self, "--peer", "ts"]);
  const tsSync = await start(process.execPath, [...process.execArgv, self, "--peer", "ts-sync"]);
  const c = await start(path.join(binDir, "sum_server"), []);
  const grpcPeer = await start(process.execPath, [...process.execArgv, self, "--peer", "grpc"]);
  const results: Record<string, number[]> = {};
  const add = (k: string, v: number) => (results[k] ??= []).push(v);
  try {
    for (let run = 0; run < RUNS; run++) {
      add("ts-ts-sync.tcp", tsNullSync(tsSync.tcpPort, "tcp"));
      add("c-ts-sync.tcp", cNull(tsSync.tcpPort, "tcp"));
      add("ts-ts.tcp", tsNullSync(ts.tcpPort, "tcp"));
      add("ts-ts.tcp.async", await tsNull(ts.tcpPort, "tcp"));
      add("ts-c.tcp", tsNullSync(c.tcpPort, "tcp"));
      add("ts-c.tcp.async", await tsNull(c.tcpPort, "tcp"));
      add("c-ts.tcp", cNull(ts.tcpPort, "tcp"));
      add("c-c.tcp", cNull(c.tcpPort, "tcp"));
      add("ts-ts.udp", tsNullSync(ts.udpPort, "udp"));
      add("ts-ts.udp.async", await tsNull(ts.udpPort, "udp"));
      add("c-c.udp", cNull(c.udpPort, "udp"));
      add("grpc", await grpcNull(grpcPeer.tcpPort));
    }
  } finally {
    await Promise.all([stop(ts.child), stop(tsSync.child), stop(c.child), stop(grpcPeer.child)]);
  }
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--peer") return peer(args[1]!);
  if (args[0] === "--null-json") return console.log(JSON.stringify(await measureNull()));
  if (args[0] === "--fuzz") await fuzz(Number(args[1] ?? 1_000_000));

  const free = await measureNull();
  // The same, every process pinned to CPU 0: no wake-up of an idle CPU in a round trip.
  const out = spawnSync(
    ...pin(true, process.execPath, [...process.execArgv, self, "--null-json"]),
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const pinned =
    out.status === 0
      ? (JSON.parse(out.stdout.trim().split("\n").pop()!) as Record<string, number>)
      : undefined;
  for (const k of Object.keys(free)) {
    console.log(
      `rpc.null.${k} ${fixed(free[k]!)} µs` + (pinned ? `, pinned ${fixed(pinned[k]!)} µs` : ""),
    );
  }
  const x = await xdrBench();
  console.log(`xdr.size ${x.size} bytes`);
  console.log(
    "# NULL round trips in µs (TS client and server vs C's; rpc.null's client blocks as C's does), XDR in ns per struct",
  );
  const sides: { values: Record<string, number>; isPinned: boolean }[] = [
    { values: free, isPinned: false },
  ];
  if (pinned) sides.push({ values: pinned, isPinned: true });
  for (const { values, isPinned } of sides) {
    const c = values["c-c.tcp"]!;
    const async = values["ts-ts.tcp.async"]!;
    console.log(resultLine("rpc.null.async", { ts: async, c }, isPinned));
    console.log(resultLine("rpc.null.loop", { ts: values["ts-ts.tcp"]!, c }, isPinned));
    console.log(resultLine("rpc.null", { ts: values["ts-ts-sync.tcp"]!, c }, isPinned));
    console.log(resultLine("rpc.vs-grpc", { ts: async, grpc: values["grpc"]! }, isPinned));
  }
  console.log(resultLine("xdr.encode", { ts: x.encode[0], peer: x.encode[1] }));
  console.log(resultLine("xdr.decode", { ts: x.decode[0], peer: x.decode[1] }));
}

await main();
