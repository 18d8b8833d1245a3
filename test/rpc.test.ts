// ONC RPC v2 (lib/rpc.ts): calls over TCP (record marking: fragments,
// records split across reads) and UDP (retransmission with the same xid,
// at-least-once and at-most-once), every accept and reject status the server
// produces surfaced as an RpcError, AUTH_NONE and AUTH_SYS, time-outs and
// signals, a server killed mid-call, malformed messages (never a crash: the
// server still answers), a fuzzer (RPC_FUZZ=1000000 for the full 10^6), and
// the portmapper: the system's rpcbind in a network namespace of its own,
// where `rpcinfo -p` lists the TypeScript service; ECONNREFUSED without one.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { createInterface } from "node:readline";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, expect, test, vi } from "vitest";
import {
  AuthFlavor,
  AuthStat,
  authSys,
  Portmapper,
  procedure,
  RecordReader,
  RpcClient,
  RpcServer,
  writeCallHeader,
  authNone,
  openFds,
  xdr,
  XdrWriter,
  type RpcCallContext,
  type RpcProgram,
  type XdrType,
} from "ipc-lab";
import { binDir, run as runProgram } from "./fixtures/programs.ts";
import { fuzzServer, replyStatus } from "./fixtures/rpc-fuzz.ts";
import { SUM_PROG, SUM_VERS, SUM_VERS_Client, SUM_VERS_program } from "./fixtures/rpcgen/sum.ts";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "..");
const PROG = 0x20000777;

// One server for most tests: SUM (sum.x) plus a test program with
// procedures that throw, wait, count their calls and require AUTH_SYS.
let calls = 0;
const hanging: (() => void)[] = [];
const testProgram: RpcProgram = {
  prog: PROG,
  vers: 2,
  procedures: [
    procedure(1, "ECHO", xdr.string(), xdr.string(), (s) => s),
    procedure(2, "THROW", xdr.void, xdr.void, () => {
      throw new Error("the procedure failed");
    }),
    procedure(3, "COUNT", xdr.int, xdr.int, (n) => {
      calls++;
      return n + 1;
    }),
    procedure(4, "HANG", xdr.void, xdr.void, () => new Promise<void>((r) => hanging.push(r))),
    procedure(5, "LATER", xdr.int, xdr.int, async (n) => {
      await new Promise<void>((r) => setImmediate(r));
      return n;
    }),
    procedure(6, "BAD_RESULT", xdr.void, xdr.int, () => 1.5), // an int that is not an int
    procedure(8, "BIG", xdr.int, xdr.string(), (n) => "z".repeat(n)),
    procedure(7, "WHOAMI", xdr.void, xdr.string(), (_, call: RpcCallContext) =>
      call.authSys ? `${call.authSys.machinename} uid=${call.authSys.uid}` : "nobody",
    ),
  ],
};
const secured: RpcProgram = {
  prog: PROG,
  vers: 3,
  procedures: [procedure(1, "SECRET", xdr.void, xdr.int, () => 42)],
  authenticate: (call) =>
    call.cred.flavor !== AuthFlavor.AUTH_SYS
      ? AuthStat.AUTH_TOOWEAK
      : call.authSys?.uid === 1000
        ? AuthStat.AUTH_OK
        : AuthStat.AUTH_REJECTEDCRED,
};
const serverErrors: unknown[] = [];
let server: RpcServer;
let tcpPort: number;
let udpPort: number;
const clients: RpcClient[] = [];
const children: ChildProcess[] = [];
const groups = new WeakSet<ChildProcess>(); // children that lead a process group

async function connect(options: Partial<Parameters<typeof RpcClient.connect>[0]> = {}) {
  const transport = options.transport ?? "tcp";
  const client = await RpcClient.connect({
    port: transport === "tcp" ? tcpPort : udpPort,
    prog: PROG,
    vers: 2,
    ...options,
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = new RpcServer({ onError: (e) => serverErrors.push(e) })
    .add(
      SUM_VERS_program({
        SUM_NULL() {},
        SUM: (part) => part.reduce((s, x) => s + BigInt(x), 0n),
      }),
    )
    .add(testProgram)
    .add(secured);
  const ports = await server.listen();
  tcpPort = ports.tcpPort!;
  udpPort = ports.udpPort!;
});
afterAll(async () => {
  for (const r of hanging) r();
  await server.close();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      if (groups.has(child)) process.kill(-child.pid!, "SIGKILL");
      else child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
    }
  }
});

test.each(["tcp", "udp"] as const)("a call and its reply over %s", async (transport) => {
  const client = await connect({ transport });
  expect(await client.call(1, xdr.string(), "안녕", xdr.string())).toBe("안녕");
  const sum = await SUM_VERS_Client.connect({
    port: transport === "tcp" ? tcpPort : udpPort,
    transport,
  });
  try {
    await sum.SUM_NULL();
    const big = Array.from({ length: 2000 }, (_, i) => 2 ** 31 - 1 - i);
    expect(await sum.SUM(big)).toBe(big.reduce((s, x) => s + BigInt(x), 0n));
  } finally {
    sum.close();
  }
});

test("a TCP reply larger than the socket's buffer goes out in parts, and calls on the same connection after it still get theirs", async () => {
  const client = await connect({ maxRecord: 1 << 25 });
  const n = 16_000_000; // more than loopback's send buffer: the server sends again when there is room
  const [big, after] = await Promise.all([
    client.call(8, xdr.int, n, xdr.string(), { timeout: 10_000 }),
    client.call(1, xdr.string(), "after", xdr.string(), { timeout: 10_000 }),
  ]);
  expect(big.length).toBe(n);
  expect(big === "z".repeat(n)).toBe(true);
  expect(after).toBe("after");
});

test("RecordReader: a whole record per read, two in one, one split, one too large", () => {
  const records: number[][] = [];
  const errors: string[] = [];
  const reader = new RecordReader(
    (r) => records.push([...r]),
    (why) => errors.push(why),
    8,
  );
  const rec = (...bytes: number[]) => [0x80, 0, 0, bytes.length, ...bytes];
  reader.push(Uint8Array.from(rec(1, 2, 3))); // the usual read, taken whole
  reader.push(Uint8Array.from([...rec(4), ...rec(5, 6)]));
  const split = [0, 0, 0, 1, 7, ...rec(8)]; // a fragment, then the last one
  for (const byte of split) reader.push(Uint8Array.of(byte));
  reader.push(Uint8Array.from(rec()));
  expect(records).toEqual([[1, 2, 3], [4], [5, 6], [7, 8], []]);
  expect(errors).toEqual([]);
  reader.push(Uint8Array.from(rec(...Array(9).fill(0)))); // 9 bytes: more than 8
  expect(errors).toEqual(["a record of more than 8 bytes"]);
  reader.push(Uint8Array.from(rec(1)));
  expect(records).toHaveLength(5); // a failed reader takes nothing more
});

test("record marking: calls in many fragments, replies in many fragments, a record split byte by byte", async () => {
  const fragmenting = new RpcServer({ maxFragment: 5 }).add(testProgram);
  const { tcpPort: port } = await fragmenting.listen({ udp: false });
  try {
    const client = await connect({ port, maxFragment: 7 });
    const text = "fragments ".repeat(30);
    expect(await client.call(1, xdr.string(), text, xdr.string())).toBe(text);
    // The same call written one byte at a time by hand: the reply comes back whole.
    const w = new XdrWriter();
    writeCallHeader(w, 77, PROG, 2, 1, authNone, authNone);
    w.string("byte by byte");
    const body = w.bytes();
    const record = new Uint8Array(4 + body.length);
    new DataView(record.buffer).setUint32(0, 0x80000000 | body.length);
    record.set(body, 4);
    const socket = net.connect({ port: tcpPort, host: "127.0.0.1", noDelay: true });
    const reply = new Promise<Buffer>((resolve) => {
      let got = Buffer.alloc(0);
      socket.on("data", (chunk) => {
        got = Buffer.concat([got, chunk]);
        if (got.length >= 4 && got.length >= 4 + (got.readUInt32BE(0) & 0x7fffffff)) resolve(got);
      });
    });
    await new Promise((r) => socket.once("connect", r));
    for (const byte of record) {
      await new Promise<void>((r) => socket.write(Uint8Array.of(byte), () => r()));
    }
    const got = await reply;
    socket.destroy();
    expect(got.readUInt32BE(0) >>> 31).toBe(1);
    expect(replyStatus(got.subarray(4))).toEqual({ xid: 77, status: "SUCCESS" });
    expect(got.subarray(-16).toString("latin1")).toContain("byte by byte");
  } finally {
    await fragmenting.close();
  }
});

test("calls on one connection are matched to replies by xid, whatever order the replies come in", async () => {
  const client = await connect();
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      i % 2 ? client.call(5, xdr.int, i, xdr.int) : client.call(3, xdr.int, i, xdr.int),
    ),
  );
  expect(results).toEqual(Array.from({ length: 100 }, (_, i) => (i % 2 ? i : i + 1)));
  expect(client.pendingCalls).toBe(0);
});

const raw = (encode: (w: XdrWriter) => void): XdrType<void> => ({
  name: "raw",
  minSize: 0,
  encode: (w) => encode(w),
  decode: () => undefined,
});

test.each(["tcp", "udp"] as const)(
  "every accept status the server produces is an RpcError at the client (%s)",
  async (transport) => {
    const call = (vers: number, proc: number, args: XdrType<any> = xdr.void, prog = PROG) =>
      connect({ transport, vers, prog }).then((c) => c.call(proc, args, undefined, xdr.void));
    await expect(call(2, 1, xdr.void, PROG + 1)).rejects.toMatchObject({
      name: "RpcError",
      code: "RPC_PROG_UNAVAIL",
      message: `clnt_call: RPC_PROG_UNAVAIL (RPC: Program unavailable) prog ${PROG + 1} vers 2 proc 1`,
    });
    await expect(call(9, 1)).rejects.toMatchObject({
      code: "RPC_PROG_MISMATCH",
      low: 2,
      high: 3,
      message: `clnt_call: RPC_PROG_MISMATCH (RPC: Program/version mismatch; low version = 2, high version = 3) prog ${PROG} vers 9 proc 1`,
    });
    await expect(call(2, 99)).rejects.toMatchObject({
      code: "RPC_PROC_UNAVAIL",
      message: expect.stringContaining("(RPC: Procedure unavailable)"),
    });
    // A string whose length says 100 with 4 bytes after it; then trailing bytes after an int.
    await expect(
      call(
        2,
        1,
        raw((w) => (w.uint(100), w.uint(0))),
      ),
    ).rejects.toMatchObject({
      code: "RPC_GARBAGE_ARGS",
      message: expect.stringContaining("(RPC: Server can't decode arguments)"),
    });
    await expect(
      call(
        2,
        3,
        raw((w) => (w.int(1), w.int(2))),
      ),
    ).rejects.toMatchObject({
      code: "RPC_GARBAGE_ARGS",
    });
    serverErrors.length = 0;
    await expect(call(2, 2)).rejects.toMatchObject({
      code: "RPC_SYSTEM_ERR",
      message: expect.stringContaining("(RPC: Remote system error)"),
    });
    expect(serverErrors).toEqual([new Error("the procedure failed")]);
    await expect(call(2, 6)).rejects.toMatchObject({ code: "RPC_SYSTEM_ERR" });
    expect(serverErrors[1]).toMatchObject({ code: "ERR_XDR_VALUE" });
    // A reply too large for a datagram is SYSTEM_ERR over UDP; over TCP it arrives.
    const huge = await connect({ transport });
    const big = huge.call(8, xdr.int, 70_000, xdr.string(), { timeout: 10_000 });
    if (transport === "udp") await expect(big).rejects.toMatchObject({ code: "RPC_SYSTEM_ERR" });
    else expect(await big).toHaveLength(70_000);
  },
);

test.each(["tcp", "udp"] as const)(
  "every reject status: RPC_MISMATCH with low/high, AUTH_ERROR with why (%s)",
  async (transport) => {
    const mismatched = await connect({ transport, rpcvers: 3 });
    await expect(mismatched.call(1, xdr.string(), "x", xdr.string())).rejects.toMatchObject({
      name: "RpcError",
      code: "RPC_MISMATCH",
      low: 2,
      high: 2,
      message: expect.stringContaining(
        "(RPC: Incompatible versions of RPC; low version = 2, high version = 2)",
      ),
    });
    const weak = await connect({ transport, vers: 3 });
    await expect(weak.call(1, xdr.void, undefined, xdr.int)).rejects.toMatchObject({
      code: "RPC_AUTH_ERROR",
      authStat: AuthStat.AUTH_TOOWEAK,
      message: expect.stringContaining(
        "(RPC: Authentication error; why = Client credential too weak)",
      ),
    });
    weak.setAuth(authSys({ uid: 1000, gid: 1000, machinename: "lab", gids: [] }));
    expect(await weak.call(1, xdr.void, undefined, xdr.int)).toBe(42);
    weak.setAuth(authSys({ uid: 0, gid: 0, machinename: "lab", gids: [] }));
    await expect(weak.call(1, xdr.void, undefined, xdr.int)).rejects.toMatchObject({
      authStat: AuthStat.AUTH_REJECTEDCRED,
    });
    weak.setAuth({ flavor: AuthFlavor.AUTH_DH, body: new Uint8Array(8) });
    await expect(weak.call(1, xdr.void, undefined, xdr.int)).rejects.toMatchObject({
      code: "RPC_AUTH_ERROR",
      authStat: AuthStat.AUTH_REJECTEDCRED,
    });
    weak.setAuth({ flavor: AuthFlavor.AUTH_SYS, body: Uint8Array.of(0, 0, 0, 1) }); // truncated
    await expect(weak.call(1, xdr.void, undefined, xdr.int)).rejects.toMatchObject({
      code: "RPC_AUTH_ERROR",
      authStat: AuthStat.AUTH_BADCRED,
      message: expect.stringContaining("why = Invalid client credential"),
    });
  },
);

test("AUTH_SYS: the procedure sees who the caller says it is", async () => {
  const client = await connect({
    auth: authSys({ machinename: "lecture-hall", uid: 1234, gid: 100, gids: [100, 27] }),
  });
  expect(await client.call(7, xdr.void, undefined, xdr.string())).toBe("lecture-hall uid=1234");
  client.setAuth(authNone);
  expect(await client.call(7, xdr.void, undefined, xdr.string())).toBe("nobody");
});

test("a lost UDP reply: the client sends the same xid again; without a cache the procedure runs twice", async () => {
  // A real UDP relay between client and server that loses the first reply.
  const relay = createSocket("udp4");
  const upstream = createSocket("udp4");
  const seen: number[] = [];
  let client: { port: number; address: string } | undefined;
  let lost = 0;
  relay.on("message", (msg, rinfo) => {
    client = rinfo;
    seen.push(msg.readUInt32BE(0));
    upstream.send(msg, udpPort, "127.0.0.1");
  });
  upstream.on("message", (msg) => {
    if (lost++ === 0) return; // the first reply never arrives
    relay.send(msg, client!.port, client!.address);
  });
  await new Promise<void>((r) => relay.bind(0, "127.0.0.1", () => r()));
  try {
    const c = await connect({ transport: "udp", port: relay.address().port, retransmit: 20 });
    calls = 0;
    expect(await c.call(3, xdr.int, 41, xdr.int, { timeout: 10_000 })).toBe(42);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seen).size).toBe(1); // every copy had the same xid
    expect(c.stats.retransmissions).toBeGreaterThanOrEqual(1);
    expect(calls).toBe(seen.length); // at-least-once: run once per copy that arrived
  } finally {
    relay.close();
    upstream.close();
  }
});

test("with a duplicate request cache the server runs a retransmitted call once (at-most-once)", async () => {
  const cached = new RpcServer({ duplicateCache: 64 }).add(testProgram);
  const { udpPort: port } = await cached.listen({ tcp: false });
  try {
    const w = new XdrWriter();
    writeCallHeader(w, 4242, PROG, 2, 3, authNone, authNone);
    w.int(1);
    const message = w.bytes();
    const socket = createSocket("udp4");
    const replies: Buffer[] = [];
    const three = new Promise<void>((resolve) =>
      socket.on("message", (m) => replies.push(m) === 3 && resolve()),
    );
    calls = 0;
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
    for (let i = 0; i < 3; i++) socket.send(message, port, "127.0.0.1");
    await three;
    socket.close();
    expect(calls).toBe(1);
    expect(cached.stats.duplicates).toBe(2);
    expect(replies.map((r) => r.toString("hex"))).toEqual(
      Array(3).fill(replies[0]!.toString("hex")),
    );
  } finally {
    await cached.close();
  }
});

test("time-outs and signals: ETIMEDOUT over UDP to a silent port and over TCP to a hanging procedure", async () => {
  const silent = createSocket("udp4");
  await new Promise<void>((r) => silent.bind(0, "127.0.0.1", () => r()));
  let received = 0;
  silent.on("message", () => received++);
  try {
    const c = await connect({ transport: "udp", port: silent.address().port, retransmit: 10 });
    await expect(
      c.call(1, xdr.string(), "hello?", xdr.string(), { timeout: 100 }),
    ).rejects.toMatchObject({
      name: "SystemError",
      code: "ETIMEDOUT",
      syscall: "clnt_call",
      message: "clnt_call: ETIMEDOUT (timed out after 100 ms)",
    });
    expect(received).toBeGreaterThan(1);
    expect(c.pendingCalls).toBe(0);
  } finally {
    silent.close();
  }
  const c = await connect();
  await expect(c.call(4, xdr.void, undefined, xdr.void, { timeout: 50 })).rejects.toMatchObject({
    code: "ETIMEDOUT",
  });
  const controller = new AbortController();
  const pending = c.call(4, xdr.void, undefined, xdr.void, { signal: controller.signal });
  controller.abort(new Error("stopped by the caller"));
  await expect(pending).rejects.toThrow("stopped by the caller");
  expect(c.pendingCalls).toBe(0);
});

/** A server process (the TypeScript fixture, or the C sum_server); its first line says its ports. */
async function startChild(...args: string[]) {
  const [file, argv] =
    args[0] === "C"
      ? [path.join(binDir, "sum_server"), args.slice(1)]
      : [
          process.execPath,
          ["--import", "tsx", path.join(root, "test/fixtures/rpc-server.ts"), ...args],
        ];
  // A process group of its own: a SIGKILL to the group also ends tsx's esbuild helper.
  const child = spawn(file, argv, {
    stdio: ["pipe", "pipe", "inherit"],
    cwd: root,
    detached: true,
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  return {
    child,
    lines,
    ports: JSON.parse(first.value as string) as { tcpPort: number; udpPort: number },
  };
}

test("a server killed mid-call: the pending call fails with ECONNRESET, not a hang", async () => {
  const { child, ports } = await startChild("--hang");
  const sum = await SUM_VERS_Client.connect({ port: ports.tcpPort });
  try {
    const pending = sum.SUM([1, 2, 3]);
    await sum.SUM_NULL(); // the server is up and has the call
    process.kill(-child.pid!, "SIGKILL");
    await expect(pending).rejects.toMatchObject({
      name: "SystemError",
      code: "ECONNRESET",
      syscall: "read",
      message: expect.stringContaining("the server closed the connection"),
    });
    await expect(sum.SUM_NULL()).rejects.toMatchObject({ code: "ECONNRESET" });
  } finally {
    sum.close();
  }
});

test("malformed messages never crash the server: dropped or refused, and it answers the next call", async () => {
  const before = { ...server.stats };
  const udp = createSocket("udp4");
  const answered: string[] = [];
  udp.on("message", (m) => answered.push(replyStatus(m).status));
  const garbage = [
    new Uint8Array(0),
    Uint8Array.of(1, 2, 3),
    Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 1), // a REPLY sent to the server
    Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0), // CALL, rpcvers 2, then cut short
    Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff),
  ];
  for (const g of garbage) udp.send(g, udpPort, "127.0.0.1");
  // A header whose credential says 500 bytes (> 400): AUTH_BADCRED.
  const w = new XdrWriter();
  for (const word of [9, 0, 2, PROG, 2, 1, AuthFlavor.AUTH_SYS, 500]) w.uint(word);
  udp.send(w.bytes(), udpPort, "127.0.0.1");
  const c = await connect({ transport: "udp" });
  expect(await c.call(1, xdr.string(), "still here", xdr.string())).toBe("still here");
  expect(server.stats.dropped - before.dropped).toBe(garbage.length);
  await vi.waitFor(() => expect(answered).toEqual(["AUTH_ERROR/1"]));
  udp.close();

  // TCP: a record mark of 2 GiB closes that connection only; garbage records are dropped.
  const socket = net.connect({ port: tcpPort, host: "127.0.0.1" });
  await new Promise((r) => socket.once("connect", r));
  const closed = new Promise((r) => socket.once("close", r));
  socket.write(Uint8Array.of(0x80, 0, 0, 3, 1, 2, 3)); // a 3-byte record: dropped
  socket.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
  await closed;
  const t = await connect();
  expect(await t.call(1, xdr.string(), "and here", xdr.string())).toBe("and here");
});

test("fuzz: generated and damaged calls get well-formed replies or none, and the server survives", async () => {
  const count = Number(process.env.RPC_FUZZ ?? 5000);
  const result = await fuzzServer(server, udpPort, PROG, count, 9);
  expect(result.failures).toEqual([]);
  expect(result.sent).toBe(count);
  for (const status of [
    "SUCCESS",
    "PROG_UNAVAIL",
    "PROG_MISMATCH",
    "PROC_UNAVAIL",
    "GARBAGE_ARGS",
  ]) {
    expect(result.byStatus[status]).toBeGreaterThan(0);
  }
  expect(result.byStatus["RPC_MISMATCH"]).toBeGreaterThan(0);
  const c = await connect();
  expect(await c.call(3, xdr.int, 1, xdr.int)).toBe(2);
});

test("bad client options are argument errors", async () => {
  await expect(RpcClient.connect({ port: tcpPort, prog: -1, vers: 1 })).rejects.toMatchObject({
    code: "ERR_OUT_OF_RANGE",
    message: "prog must be between 0 and 4294967295, got -1",
  });
  await expect(RpcClient.connect({ port: 70000, prog: 1, vers: 1 })).rejects.toMatchObject({
    code: "ERR_OUT_OF_RANGE",
  });
  await expect(
    RpcClient.connect({ port: tcpPort, prog: 1, vers: 1, transport: "sctp" as "tcp" }),
  ).rejects.toMatchObject({ code: "ERR_INVALID_ARG_VALUE" });
});

test("no portmapper: a clear ECONNREFUSED, from Portmapper.connect and from a client without a port", async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r)); // nothing listens there now
  await expect(Portmapper.connect({ port })).rejects.toMatchObject({
    name: "SystemError",
    code: "ECONNREFUSED",
    syscall: "connect",
    message: expect.stringMatching(
      new RegExp(
        `^connect: ECONNREFUSED \\(Connection refused\\) no portmapper at 127\\.0\\.0\\.1:${port}: start rpcbind`,
      ),
    ),
  });
  await expect(
    SUM_VERS_Client.connect({ portmapperPort: port, timeout: 2000 }),
  ).rejects.toMatchObject({ code: "ECONNREFUSED" });
});

const isRoot = process.getuid?.() === 0;
test.skipIf(!isRoot)(
  "the portmapper: the system's rpcbind in a network namespace of its own; rpcinfo -p lists the TypeScript service",
  async () => {
    const ns = `ipc-lab-rpc-${process.pid}`;
    await run("ip", ["netns", "add", ns]);
    let rpcbind: ChildProcess | undefined;
    try {
      await run("ip", ["netns", "exec", ns, "ip", "link", "set", "lo", "up"]);
      // Its own /run too (rpcbind's socket and warm-start files), so nothing of the host is touched.
      rpcbind = spawn(
        "ip",
        [
          "netns",
          "exec",
          ns,
          "unshare",
          "-m",
          "sh",
          "-c",
          "mount -t tmpfs tmpfs /run && exec rpcbind -f -w",
        ],
        { stdio: "ignore" },
      );
      children.push(rpcbind);
      const inside = (cmd: string, ...args: string[]) =>
        run("nsenter", ["-t", String(rpcbind!.pid), "-m", "-n", cmd, ...args]);
      await vi.waitFor(() => inside("rpcinfo", "-p"), { timeout: 10_000, interval: 50 });

      // The TypeScript server, in the namespace, registers and is found through GETPORT.
      const { child, lines, ports } = await (async () => {
        const child = spawn(
          "nsenter",
          [
            "-t",
            String(rpcbind!.pid),
            "-n",
            process.execPath,
            "--import",
            "tsx",
            "test/fixtures/rpc-server.ts",
            "--register",
          ],
          { stdio: ["pipe", "pipe", "inherit"], cwd: root },
        );
        children.push(child);
        const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
        const first = await lines.next();
        return {
          child,
          lines,
          ports: JSON.parse(first.value as string) as { tcpPort: number; udpPort: number },
        };
      })();
      const report = JSON.parse((await lines.next()).value as string);
      const mine = [
        { prog: SUM_PROG, vers: SUM_VERS, prot: 6, port: ports.tcpPort },
        { prog: SUM_PROG, vers: SUM_VERS, prot: 17, port: ports.udpPort },
      ];
      expect(report.registered).toEqual(mine);
      expect(report.dump).toEqual(
        expect.arrayContaining([...mine, { prog: 100000, vers: 2, prot: 6, port: 111 }]),
      );
      expect(report.getport).toEqual({ tcp: ports.tcpPort, udp: ports.udpPort });
      expect(report.viaPortmapper).toEqual({ tcp: "10", udp: "10" });
      expect(report.generatedDump).toEqual(report.dump);

      const { stdout } = await inside("rpcinfo", "-p");
      expect(stdout).toMatch(
        new RegExp(`^\\s+${SUM_PROG}\\s+1\\s+tcp\\s+${ports.tcpPort}\\s*$`, "m"),
      );
      expect(stdout).toMatch(
        new RegExp(`^\\s+${SUM_PROG}\\s+1\\s+udp\\s+${ports.udpPort}\\s*$`, "m"),
      );
      // rpcinfo's own NULL calls reach the TypeScript server over both transports.
      expect((await inside("rpcinfo", "-t", "127.0.0.1", String(SUM_PROG), "1")).stdout).toBe(
        `program ${SUM_PROG} version 1 ready and waiting\n`,
      );
      expect((await inside("rpcinfo", "-u", "127.0.0.1", String(SUM_PROG), "1")).stdout).toBe(
        `program ${SUM_PROG} version 1 ready and waiting\n`,
      );

      // The C client finds the TypeScript server through rpcbind (clnt_create, no port).
      expect((await inside(path.join(binDir, "sum_client"), "range", "10000", "5")).stdout).toBe(
        "50005000\n",
      );

      // The server's close() unregisters: rpcinfo -p no longer lists it.
      child.stdin!.end();
      await new Promise((r) => child.once("exit", r));
      expect(child.exitCode).toBe(0);
      expect((await inside("rpcinfo", "-p")).stdout).not.toContain(String(SUM_PROG));

      // The C server registers itself (pmap_set); a TypeScript client finds it by GETPORT.
      const c = spawn(
        "nsenter",
        ["-t", String(rpcbind.pid), "-m", "-n", path.join(binDir, "sum_server"), "-r"],
        {
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      children.push(c);
      const cPorts = JSON.parse(
        (await createInterface({ input: c.stdout! })[Symbol.asyncIterator]().next())
          .value as string,
      ) as { tcpPort: number; udpPort: number };
      expect((await inside("rpcinfo", "-p")).stdout).toMatch(
        new RegExp(`^\\s+${SUM_PROG}\\s+1\\s+udp\\s+${cPorts.udpPort}\\s*$`, "m"),
      );
      const script =
        `const l = require("ipc-lab");` +
        `(async () => {` +
        `  const c = await l.RpcClient.connect({ prog: ${SUM_PROG}, vers: 1, transport: "udp", timeout: 5000 });` +
        `  console.log(c.port, String(await c.call(1, l.xdr.array(l.xdr.int), [5, 6, 7], l.xdr.hyper, { timeout: 5000 })));` +
        `  c.close();` +
        `})();`;
      const viaGetport = await run(
        "nsenter",
        ["-t", String(rpcbind.pid), "-n", process.execPath, "-e", script],
        {
          cwd: root,
        },
      );
      expect(viaGetport.stdout).toBe(`${cPorts.udpPort} 18\n`);
      // The blocking client asks rpcbind with a blocking GETPORT, as clnt_create does.
      const syncScript =
        `const l = require("ipc-lab");` +
        `const c = l.RpcClient.connectSync({ prog: ${SUM_PROG}, vers: 1, timeout: 5000 });` +
        `console.log(c.port, String(c.callSync(1, l.xdr.array(l.xdr.int), [5, 6, 7], l.xdr.hyper, { timeout: 5000 })));` +
        `c.close();` +
        `try { l.RpcClient.connectSync({ prog: ${SUM_PROG + 1}, vers: 1, timeout: 5000 }); } catch (e) { console.log(e.code); }`;
      const viaGetportSync = await run(
        "nsenter",
        ["-t", String(rpcbind.pid), "-n", process.execPath, "-e", syncScript],
        { cwd: root },
      );
      expect(viaGetportSync.stdout).toBe(`${cPorts.tcpPort} 18\nRPC_PROG_NOT_REGISTERED\n`);
      c.kill("SIGTERM");
      await new Promise((r) => c.once("exit", r));
      expect(c.exitCode).toBe(0);
      expect((await inside("rpcinfo", "-p")).stdout).not.toContain(String(SUM_PROG)); // pmap_unset
    } finally {
      if (rpcbind && rpcbind.exitCode === null) {
        rpcbind.kill("SIGTERM");
        await new Promise((r) => rpcbind!.once("exit", r));
      }
      await run("ip", ["netns", "del", ns]);
    }
    expect((await run("ip", ["netns", "list"])).stdout).not.toContain(ns);
  },
);

// Interoperating with C: native/c/rpc/sum.x through the system's rpcgen and
// libtirpc (native/c/Makefile) gives sum_server and sum_client.
test.each(["tcp", "udp"] as const)(
  "the TypeScript stub calls the C server (libtirpc) over %s",
  async (transport) => {
    const { child, ports } = await startChild("C");
    const port = transport === "tcp" ? ports.tcpPort : ports.udpPort;
    const sum = await SUM_VERS_Client.connect({ port, transport });
    try {
      await sum.SUM_NULL({ timeout: 5000 });
      const part = Array.from({ length: 2000 }, (_, i) => (i % 2 ? -1 : 1) * (2 ** 31 - 1 - i));
      expect(await sum.SUM(part, { timeout: 5000 })).toBe(part.reduce((s, x) => s + BigInt(x), 0n));
      expect(await sum.SUM([], { timeout: 5000 })).toBe(0n);
      // libtirpc's own refusals reach the TypeScript client as RpcErrors too.
      await expect(
        sum.rpc.call(9, xdr.void, undefined, xdr.void, { timeout: 5000 }),
      ).rejects.toMatchObject({
        code: "RPC_PROC_UNAVAIL",
      });
      await expect(
        sum.rpc.call(
          1,
          // A part longer than SUM_MAX. (A count of 5 with no numbers after it would not
          // do over UDP: libtirpc decodes a datagram from its whole receive buffer, stale
          // bytes of the datagram before included.)
          raw((w) => w.uint(5000)),
          undefined,
          xdr.hyper,
          { timeout: 5000 },
        ),
      ).rejects.toMatchObject({ code: "RPC_GARBAGE_ARGS" });
      const v2 = await connect({ transport, port, prog: SUM_PROG, vers: 2 });
      await expect(
        v2.call(0, xdr.void, undefined, xdr.void, { timeout: 5000 }),
      ).rejects.toMatchObject({
        code: "RPC_PROG_MISMATCH",
        low: 1,
        high: 1,
      });
      const other = await connect({ transport, port, prog: SUM_PROG + 1, vers: 1 });
      await expect(
        other.call(0, xdr.void, undefined, xdr.void, { timeout: 5000 }),
      ).rejects.toMatchObject({
        code: "RPC_PROG_UNAVAIL",
      });
    } finally {
      sum.close();
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    expect(child.exitCode).toBe(0);
  },
);

test.each(["tcp", "udp"] as const)(
  "the C client (libtirpc) calls the TypeScript server over %s",
  async (transport) => {
    const port = String(transport === "tcp" ? tcpPort : udpPort);
    const client = path.join(binDir, "sum_client");
    const args = ["-p", port, "-T", transport];
    expect(await runProgram(client, [...args, "sum", "1", "2", "3", "-4"])).toMatchObject({
      code: 0,
      stdout: "2\n",
    });
    // The lecture's example: 1..100000 split into 50 parts, one SUM each, added up by the client.
    const before = server.stats.success;
    expect(await runProgram(client, [...args, "range", "100000", "50"])).toMatchObject({
      code: 0,
      stdout: "5000050000\n",
    });
    expect(server.stats.success - before).toBe(50);
    expect((await runProgram(client, [...args, "null", "100"])).stdout).toMatch(
      /^100 calls [\d.]+ us\/call\n$/,
    );
    // More than SUM_MAX numbers in one part: the TypeScript server answers GARBAGE_ARGS, C says so.
    const refused = await runProgram(client, [...args, "range", "4000", "1"]);
    expect(refused.code).toBe(2); // the C client checks SUM_MAX itself before calling
  },
);

// serveSync: the server as svc_run is, blocking in poll(2) in a process of its own.
test("serveSync (no event loop) serves the C client and TypeScript stubs over TCP and UDP, several connections at once, and returns after maxCalls", async () => {
  const calls = 100 + 100 + 1 + 1 + 4 + 1;
  const { child, lines, ports } = await startChild("--sync", String(calls));
  const exited = new Promise((r) => child.once("exit", r));
  const client = path.join(binDir, "sum_client");
  for (const [transport, port] of [
    ["tcp", ports.tcpPort],
    ["udp", ports.udpPort],
  ] as const) {
    const args = ["-p", String(port), "-T", transport];
    expect((await runProgram(client, [...args, "null", "100"])).stdout).toMatch(/^100 calls /);
    expect(await runProgram(client, [...args, "sum", "1", "2", "3", "-4"])).toMatchObject({
      code: 0,
      stdout: "2\n",
    });
  }
  // Two TCP connections open at once, their calls interleaved: the poll set holds both.
  const a = await SUM_VERS_Client.connect({ port: ports.tcpPort });
  const b = await SUM_VERS_Client.connect({ port: ports.tcpPort });
  try {
    expect(await a.SUM([1, 2], { timeout: 5000 })).toBe(3n);
    expect(await b.SUM([10, 20], { timeout: 5000 })).toBe(30n);
    expect(await a.SUM([100], { timeout: 5000 })).toBe(100n);
    const [x, y] = await Promise.all([
      a.SUM([5], { timeout: 5000 }),
      b.SUM_NULL({ timeout: 5000 }),
    ]);
    expect([x, y]).toEqual([5n, undefined]);
  } finally {
    a.close();
    b.close();
  }
  const stats = JSON.parse((await lines.next()).value as string);
  expect(stats).toMatchObject({ calls, success: calls, dropped: 0, systemErr: 0 });
  await exited;
  expect(child.exitCode).toBe(0);
});

test("serveSync answers SYSTEM_ERR to a procedure that returns a Promise (no event loop to settle it)", async () => {
  const { child, lines, ports } = await startChild("--sync", "1", "--hang");
  const exited = new Promise((r) => child.once("exit", r));
  const sum = await SUM_VERS_Client.connect({ port: ports.tcpPort });
  try {
    await expect(sum.SUM([1], { timeout: 5000 })).rejects.toMatchObject({ code: "RPC_SYSTEM_ERR" });
  } finally {
    sum.close();
  }
  expect(JSON.parse((await lines.next()).value as string)).toMatchObject({
    calls: 1,
    systemErr: 1,
  });
  await exited;
  expect(child.exitCode).toBe(0);
});

test("serveSync refuses bad options before it binds, and with maxCalls 0 returns at once, closing all it opened", () => {
  const s = new RpcServer();
  expect(() => s.serveSync({ maxCalls: -1 })).toThrow(
    expect.objectContaining({
      code: "ERR_OUT_OF_RANGE",
      message: expect.stringMatching(/maxCalls/),
    }),
  );
  expect(() => s.serveSync({ onListening: 5 as never })).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_TYPE",
      message: expect.stringMatching(/onListening/),
    }),
  );
  expect(() => s.serveSync({ tcp: false, udp: false })).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_VALUE",
      message: expect.stringMatching(/tcp and udp/),
    }),
  );
  const before = openFds().length;
  let seen: { tcpPort?: number; udpPort?: number } = {};
  const stats = s.serveSync({ maxCalls: 0, onListening: (ports) => (seen = ports) });
  expect(seen.tcpPort).toBeGreaterThan(0);
  expect(seen.udpPort).toBeGreaterThan(0);
  expect(stats.calls).toBe(0);
  expect(openFds().length).toBe(before);
  expect(s.serveSync({ maxCalls: 0, udp: false }).calls).toBe(0); // and it can serve again
});

test("a UDP call too large for a datagram fails at once with EMSGSIZE", async () => {
  const c = await connect({ transport: "udp" });
  await expect(
    c.call(1, xdr.string(), "x".repeat(70_000), xdr.string(), { timeout: 10_000 }),
  ).rejects.toMatchObject({
    code: "EMSGSIZE",
    syscall: "send",
  });
  expect(c.pendingCalls).toBe(0);
});

test("a server closed while a procedure runs drops its late reply, over UDP and TCP", async () => {
  const releases: (() => void)[] = [];
  const started: string[] = [];
  const late = new RpcServer().add({
    prog: PROG,
    vers: 1,
    procedures: [
      procedure(1, "LATE", xdr.void, xdr.int, async (_, call) => {
        started.push(call.transport);
        await new Promise<void>((r) => releases.push(r));
        return 1;
      }),
    ],
  });
  const ports = await late.listen();
  const u = await connect({ transport: "udp", port: ports.udpPort, vers: 1 });
  const t = await connect({ transport: "tcp", port: ports.tcpPort, vers: 1 });
  const answers = [
    u.call(1, xdr.void, undefined, xdr.int, { timeout: 200 }).catch((e) => e.code),
    t.call(1, xdr.void, undefined, xdr.int).catch((e) => e.code),
  ];
  await vi.waitFor(() => expect(started).toHaveLength(2));
  await late.close();
  for (const release of releases) release();
  await new Promise((r) => setImmediate(r)); // the late replies go nowhere, and nothing throws
  expect(await Promise.all(answers)).toEqual(["ETIMEDOUT", "ECONNRESET"]);
});

test("the lecture's distributed sum: an array split across three server processes (two TypeScript, one C), called at once", async () => {
  const servers = await Promise.all([startChild(), startChild(), startChild("C")]);
  const stubs = await Promise.all(
    servers.map((s, i) =>
      SUM_VERS_Client.connect({
        port: i % 2 ? s.ports.udpPort : s.ports.tcpPort,
        transport: i % 2 ? "udp" : "tcp",
      }),
    ),
  );
  try {
    const array = Array.from({ length: 6000 }, (_, i) => i * 7919 - 3_000_000);
    const size = Math.ceil(array.length / stubs.length); // 2000 = SUM_MAX, one part each
    const partials = await Promise.all(
      stubs.map((stub, i) => stub.SUM(array.slice(i * size, (i + 1) * size), { timeout: 10_000 })),
    );
    const local = array.reduce((s, x) => s + BigInt(x), 0n);
    expect(partials.reduce((s, x) => s + x, 0n)).toBe(local);
    expect(partials).toHaveLength(3);
  } finally {
    for (const stub of stubs) stub.close();
    for (const { child } of servers) {
      process.kill(-child.pid!, "SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
  }
});

const hasXdrlib = (() => {
  try {
    execFileSync("python3", ["-W", "ignore", "-c", "import xdrlib"], { stdio: "ignore" });
    return true;
  } catch {
    return false; // Python 3.13 removed xdrlib
  }
})();
test.skipIf(!hasXdrlib).each(["tcp", "udp"] as const)(
  "a Python client built on the standard library's xdrlib calls the TypeScript server over %s",
  async (transport) => {
    const script = path.join(root, "test/fixtures/rpc_client.py");
    const port = String(transport === "tcp" ? tcpPort : udpPort);
    const py = (...args: string[]) => runProgram("python3", [script, transport, port, ...args]);
    expect(await py("1", "2147483647", "2147483647", "-5")).toMatchObject({
      code: 0,
      stdout: "4294967289\n",
    });
    expect(await py("9")).toMatchObject({ code: 0, stdout: "PROC_UNAVAIL\n" });
  },
);

// The blocking client (connectSync/callSync). Its peer is always another
// process: a blocking call would starve a server on this test's own loop.
const sumArgs = xdr.array(xdr.int);

/** A port nothing listens on: bound by a socket that is then closed. */
async function freePort(type: "tcp" | "udp"): Promise<number> {
  if (type === "udp") {
    const s = createSocket("udp4");
    await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
    const { port } = s.address();
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function connectSync(options: Parameters<typeof RpcClient.connectSync>[0]) {
  const client = RpcClient.connectSync(options);
  clients.push(client);
  return client;
}

test.each([
  ["tcp", "C"],
  ["udp", "C"],
  ["tcp", "TS"],
  ["udp", "TS"],
] as const)(
  "callSync over %s to the %s server: results, refusals, what it counted",
  async (transport, kind) => {
    const { ports } = kind === "C" ? await startChild("C") : await startChild();
    const port = transport === "tcp" ? ports.tcpPort : ports.udpPort;
    const c = connectSync({ port, transport, prog: SUM_PROG, vers: SUM_VERS });
    expect(c.callSync(0, xdr.void, undefined, xdr.void)).toBeUndefined();
    expect(c.callSync(1, sumArgs, [5, 6, 7], xdr.hyper, { timeout: 5000 })).toBe(18n);
    // a reply of several reads (TCP) / a large datagram (UDP): 2000 numbers there
    const part = Array.from({ length: 2000 }, (_, i) => (i % 2 ? -1 : 1) * (2 ** 31 - 1 - i));
    expect(c.callSync(1, sumArgs, part, xdr.hyper, { timeout: 5000 })).toBe(
      part.reduce((s, x) => s + BigInt(x), 0n),
    );
    expect(() => c.callSync(9, xdr.void, undefined, xdr.void, { timeout: 5000 })).toThrow(
      expect.objectContaining({ name: "RpcError", code: "RPC_PROC_UNAVAIL", proc: 9 }),
    );
    const v2 = connectSync({ port, transport, prog: SUM_PROG, vers: 2 });
    expect(() => v2.callSync(0, xdr.void, undefined, xdr.void, { timeout: 5000 })).toThrow(
      expect.objectContaining({ code: "RPC_PROG_MISMATCH", low: 1, high: 1 }),
    );
    expect(c.stats).toMatchObject({ calls: 4, replies: 4, dropped: 0 });
    // the same socket, made by the library's calls: a descriptor of this process while open
    c.close();
    expect(() => c.callSync(0, xdr.void, undefined, xdr.void)).toThrow(
      expect.objectContaining({ code: "ECONNRESET", syscall: "clnt_call" }),
    );
  },
);

test("callSync times out with ETIMEDOUT, retransmitting over UDP, and the next call drops the late reply", async () => {
  const { ports } = await startChild("--hang");
  const tcp = connectSync({ port: ports.tcpPort, prog: SUM_PROG, vers: SUM_VERS });
  expect(() => tcp.callSync(1, sumArgs, [1], xdr.hyper, { timeout: 100 })).toThrow(
    expect.objectContaining({ name: "SystemError", code: "ETIMEDOUT", syscall: "clnt_call" }),
  );
  expect(tcp.callSync(0, xdr.void, undefined, xdr.void, { timeout: 5000 })).toBeUndefined();
  const udp = connectSync({
    port: ports.udpPort,
    transport: "udp",
    prog: SUM_PROG,
    vers: SUM_VERS,
  });
  expect(() => udp.callSync(1, sumArgs, [1], xdr.hyper, { timeout: 300, retransmit: 50 })).toThrow(
    expect.objectContaining({ code: "ETIMEDOUT", message: expect.stringContaining("300 ms") }),
  );
  expect(udp.stats.retransmissions).toBeGreaterThanOrEqual(2);
  // A call answered late: its reply arrives while the next call waits, and is dropped by xid.
  const { ports: c } = await startChild("C");
  const late = connectSync({ port: c.udpPort, transport: "udp", prog: SUM_PROG, vers: SUM_VERS });
  expect(() => late.callSync(1, sumArgs, [1, 2], xdr.hyper, { timeout: 0 })).toThrow(
    expect.objectContaining({ code: "ETIMEDOUT" }),
  );
  expect(late.callSync(1, sumArgs, [3, 4], xdr.hyper, { timeout: 5000 })).toBe(7n);
  expect(late.stats.dropped).toBe(1);
});

test("callSync's failures: a server gone (ECONNRESET, ECONNREFUSED), a record too large, bad arguments", async () => {
  const { child, ports } = await startChild("C");
  const gone = connectSync({ port: ports.tcpPort, prog: SUM_PROG, vers: SUM_VERS });
  const small = connectSync({ port: ports.tcpPort, prog: SUM_PROG, vers: SUM_VERS, maxRecord: 16 });
  expect(() => small.callSync(1, sumArgs, [1], xdr.hyper, { timeout: 5000 })).toThrow(
    expect.objectContaining({
      code: "EPROTO",
      message: expect.stringContaining("more than 16 bytes"),
    }),
  );
  expect(() => small.callSync(0, xdr.void, undefined, xdr.void)).toThrow(
    expect.objectContaining({ code: "ECONNRESET", syscall: "clnt_call" }),
  );
  process.kill(-child.pid!, "SIGKILL");
  await new Promise((r) => child.once("exit", r));
  expect(() => gone.callSync(0, xdr.void, undefined, xdr.void, { timeout: 5000 })).toThrow(
    expect.objectContaining({ name: "SystemError", code: "ECONNRESET", syscall: "read" }),
  );
  // No UDP server: the kernel's ICMP "port unreachable" is read(2)'s ECONNREFUSED.
  const none = connectSync({
    port: await freePort("udp"),
    transport: "udp",
    prog: SUM_PROG,
    vers: SUM_VERS,
  });
  expect(() => none.callSync(0, xdr.void, undefined, xdr.void, { timeout: 5000 })).toThrow(
    expect.objectContaining({ code: "ECONNREFUSED", syscall: "read" }),
  );
  // No TCP server, and no portmapper to ask: connect(2)'s ECONNREFUSED.
  const closed = await freePort("tcp");
  expect(() => RpcClient.connectSync({ port: closed, prog: SUM_PROG, vers: 1 })).toThrow(
    expect.objectContaining({ code: "ECONNREFUSED", syscall: "connect" }),
  );
  expect(() =>
    RpcClient.connectSync({ prog: SUM_PROG, vers: 1, portmapperPort: closed, timeout: 1000 }),
  ).toThrow(expect.objectContaining({ code: "ECONNREFUSED", syscall: "connect" }));
  // Arguments
  expect(() => RpcClient.connectSync({ port: 0, prog: SUM_PROG, vers: 1 })).toThrow(
    expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
  );
  expect(() =>
    RpcClient.connectSync({
      port: ports.tcpPort,
      prog: SUM_PROG,
      vers: 1,
      signal: AbortSignal.timeout(10),
    } as Parameters<typeof RpcClient.connectSync>[0]),
  ).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_VALUE",
      message: expect.stringContaining("AbortSignal"),
    }),
  );
  const { ports: ts } = await startChild();
  const s = connectSync({ port: ts.tcpPort, prog: SUM_PROG, vers: SUM_VERS });
  for (const [options, code] of [
    [{ timeout: -1 }, "ERR_OUT_OF_RANGE"],
    [{ timeout: 1.5 }, "ERR_OUT_OF_RANGE"],
    [{ retransmit: 0 }, "ERR_OUT_OF_RANGE"],
    [null, "ERR_INVALID_ARG_TYPE"],
  ] as const) {
    expect(() => s.callSync(0, xdr.void, undefined, xdr.void, options as never)).toThrow(
      expect.objectContaining({ code }),
    );
  }
  expect(() => s.callSync(1, sumArgs, [1.5], xdr.hyper)).toThrow(
    expect.objectContaining({ name: "XdrError" }),
  );
  expect(s.callSync(0, xdr.void, undefined, xdr.void)).toBeUndefined(); // still usable
  await expect(s.call(0, xdr.void, undefined, xdr.void)).rejects.toMatchObject({
    code: "ERR_INVALID_ARG_VALUE",
    message: expect.stringContaining("callSync"),
  });
  const awaitable = await connect();
  expect(() => awaitable.callSync(0, xdr.void, undefined, xdr.void)).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_VALUE",
      message: expect.stringContaining("connectSync"),
    }),
  );
});
