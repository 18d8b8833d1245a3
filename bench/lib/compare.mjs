// Chapter 10's TypeScript side, the twin of native/c/ipc_compare.c: the same
// mechanisms measured the same way, through ipc-lab, between this process and
// a peer process of its own (this file again, `peer MECH`), for a fixed time.
//   node compare.mjs rt MECH MS        µs per 1-byte round trip
//   node compare.mjs tp MECH SIZE MS   MB/s of SIZE-byte messages to the peer
//   node compare.mjs batch JOB...      several in one process (JOB: rt:MECH:1:MS or
//                                      tp:MECH:SIZE:MS), one line each: "JOB value",
//                                      "JOB skipped: why" or "JOB failed: why"
// Plain Node (no tsx) so that a peer starts in a tenth of a second. Every
// object it makes is removed, also when it fails. rpc-tcp and rpc-udp (rt
// only) are ONC RPC NULL calls: RpcClient.callSync (blocking, as C's
// clnt_call) to an RpcServer on the peer's event loop, the same calls
// ipc_compare's C client makes to sum_server.
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as lib from "ipc-lab";

const self = fileURLToPath(import.meta.url);
const now = () => Number(process.hrtime.bigint()) / 1e3;
const Q = 0x71; // "q": the last message
const parentPid = process.ppid;
const SPIN_LIMIT = 10e6; // µs a spinning side waits for the other before it gives up
const DATA = 4096; // shared memory: flags at 0 and 64, semaphores at 128 and 192, data from 4096

const SOCKETS = ["unix", "tcp", "udp"];
const RPC = { "rpc-tcp": "tcp", "rpc-udp": "udp" };
const SUM_PROG = 0x20000099; // native/c/rpc/sum.x, as ipc_compare's sum_server serves it

/** Two connected fds (parent's, peer's), blocking as a pipe's are (the calls here are *Sync). */
function connectedPair(mech) {
  const pair = socketPair(mech);
  for (const fd of pair) lib.setNonblocking(fd, false);
  return pair;
}

function socketPair(mech) {
  if (mech === "unix") return lib.socketpair(lib.SOCK_STREAM);
  const type = mech === "tcp" ? lib.SOCK_STREAM : lib.SOCK_DGRAM;
  const a = lib.socket(lib.AF_INET, type);
  lib.bind(a, { host: "127.0.0.1", port: 0 });
  const b = lib.socket(lib.AF_INET, type);
  if (mech === "tcp") {
    lib.listen(a, 1);
    lib.connectSync(b, lib.getsockname(a));
    const server = lib.acceptSync(a).fd;
    lib.close(a);
    return [b, server];
  }
  lib.bind(b, { host: "127.0.0.1", port: 0 });
  lib.connectSync(a, lib.getsockname(b));
  lib.connectSync(b, lib.getsockname(a));
  return [a, b];
}

/** What one side uses: send(buffer) and receive(size) -> first byte, for one mechanism. */
async function endpoint(mech, role, args) {
  const parent = role === "parent";
  if (["pipe", "unix", "tcp", "udp", "fifo"].includes(mech)) {
    let input = 0;
    let output = 1; // the peer's: its stdin and stdout
    let fifos = [];
    if (mech === "fifo") {
      const [a, b] = args;
      // Both open a first, then b: neither waits forever.
      fifos = [
        await lib.openFifo(a, parent ? "w" : "r"),
        await lib.openFifo(b, parent ? "r" : "w"),
      ];
      [input, output] = (parent ? [fifos[1], fifos[0]] : fifos).map((fifo) => fifo.fd);
      // openFifo's descriptors wait on the event loop; these calls block, as a pipe's do
      for (const fd of [input, output]) lib.setNonblocking(fd, false);
    } else if (parent) [input, output] = [args.input, args.output];
    const datagram = mech === "udp";
    const buffer = Buffer.allocUnsafe(1 << 20);
    return {
      send: (data) => lib.writeSync(output, data),
      receive(size) {
        let got = 0;
        let first = 0;
        do {
          const n = lib.readIntoSync(input, datagram ? buffer : buffer.subarray(0, size - got));
          if (n === 0) throw new Error(`${mech}: end of file`);
          if (got === 0) first = buffer[0];
          got += n;
        } while (got < size && !datagram);
        return first;
      },
      close: () => fifos.forEach((fifo) => fifo.close()),
    };
  }
  if (mech === "posix-mq") {
    const [down, up] = args.map((name) => lib.MessageQueue.open(name));
    const [mine, theirs] = parent ? [up, down] : [down, up];
    return {
      send: (data) => theirs.send(data),
      receive: async () => (await mine.receive()).data[0],
      close: () => (down.close(), up.close()),
    };
  }
  if (mech === "sysv-mq") {
    const id = Number(args[0]);
    return {
      send: (data) => lib.msgsnd(id, parent ? 1 : 2, data),
      receive: async (size) => (await lib.msgrcv(id, Math.max(size, 1), parent ? 2 : 1)).data[0],
    };
  }
  if (mech === "signal") {
    // The parent's SignalFd was opened (SIGRTMIN blocked) before the peer started.
    const mine = parent ? args.signalFd : lib.SignalFd.open("SIGRTMIN+1");
    const other = parent ? args.pid : process.ppid;
    if (!parent) lib.sigqueue(other, "SIGRTMIN", -1); // ready: this side blocks its signal
    return {
      send: (data) => lib.sigqueue(other, parent ? "SIGRTMIN+1" : "SIGRTMIN", data[0]),
      receive: async () => (await mine.receive({ timeout: 10_000 })).value,
      close: () => mine.close(),
    };
  }
  // Shared memory, the data then a semaphore or a flag.
  const region =
    mech === "mmap-spin" ? lib.MappedFile.open(args[0]) : lib.SharedMemory.open(args[0]);
  const bytes = mech === "mmap-spin" ? region.mapping.bytes : region.buffer;
  const flags = new Int32Array(bytes.buffer, bytes.byteOffset, 32);
  const [mineAt, theirsAt] = parent ? [64, 0] : [0, 64];
  const sems =
    mech === "shm-sem"
      ? [lib.UnnamedSemaphore.at(region, 128), lib.UnnamedSemaphore.at(region, 192)]
      : undefined;
  const [mySem, theirSem] = sems ? (parent ? [sems[1], sems[0]] : sems) : [];
  return {
    send(data) {
      bytes.set(data, DATA);
      if (theirSem) theirSem.post();
      else Atomics.store(flags, theirsAt / 4, 1);
    },
    async receive(size) {
      if (mySem) await mySem.wait();
      else {
        // Spin, yielding the CPU after a while as C's spin_until does: a pure
        // spin holds the CPU its partner needs for a whole time slice per
        // turn on a busy machine. And never forever: this loop holds the
        // event loop, so no timer (batch's time-out) could end it. A peer
        // stops once the measuring process is gone; either side gives up
        // after SPIN_LIMIT with no word (a CI run's rt shm-spin hung, its
        // two processes spinning on both CPUs for the rest of the run).
        let began = 0;
        for (let i = 1; Atomics.load(flags, mineAt / 4) === 0; i++) {
          if (i <= 2000) continue;
          if (i === 2001) began = now(); // the clock only once the other side is slow
          lib.schedYield();
          if (i % 1000 !== 0) continue;
          if (!parent && process.ppid !== parentPid) process.exit(1);
          if (now() - began > SPIN_LIMIT) {
            throw new Error(`${mech}: no word from the other side in ${SPIN_LIMIT / 1e6} s`);
          }
        }
        Atomics.store(flags, mineAt / 4, 0);
      }
      return size === 1 ? bytes[DATA] : Buffer.from(bytes.subarray(DATA, DATA + size))[0];
    },
    close() {
      for (const sem of sems ?? []) sem.close();
      region.close();
    },
  };
}

/** rpc-*'s peer: an RpcServer with SUM's NULL procedure; its ports on stdout, until stdin ends. */
async function rpcPeer() {
  const server = new lib.RpcServer().add({ prog: SUM_PROG, vers: 1, procedures: [] });
  const ports = await server.listen();
  lib.writeSync(1, JSON.stringify(ports) + "\n");
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once("end", resolve));
  await server.close();
}

/** µs per NULL call for `ms` ms (after a warm-up of 200, at most 10 ms), as sum_client null-for. */
async function measureRpc(mech, ms) {
  const transport = RPC[mech];
  const [stdinR, stdinW] = lib.pipe();
  const [stdoutR, stdoutW] = lib.pipe();
  current = {
    cleanups: [() => [stdinW, stdoutR].forEach((fd) => lib.close(fd))],
    child: undefined,
  };
  let client;
  try {
    const child = (current.child = lib.spawnWithFds(process.execPath, [self, "peer", mech], {
      fds: { 0: stdinR, 1: stdoutW },
    }));
    lib.close(stdinR);
    lib.close(stdoutW);
    let line = "";
    while (!line.includes("\n")) {
      const chunk = await lib.read(stdoutR, 256, { timeout: 10_000 });
      if (chunk.length === 0) throw new Error("the RPC peer ended before it listened");
      line += chunk.toString();
    }
    const ports = JSON.parse(line);
    const port = transport === "tcp" ? ports.tcpPort : ports.udpPort;
    client = lib.RpcClient.connectSync({ port, transport, prog: SUM_PROG, vers: 1 });
    // C's client has a time-out (10 s): poll(2) before each read, here too.
    const options = { timeout: 10_000 };
    const call = () => client.callSync(0, lib.xdr.void, undefined, lib.xdr.void, options);
    const warm = now();
    for (let i = 0; i < 200 && now() - warm < 10e3; i++) call();
    let n = 0;
    const start = now();
    let t = start;
    while (t - start < ms * 1e3) {
      for (let i = 0; i < 10; i++, n++) call();
      t = now();
    }
    client.close();
    client = undefined;
    for (const cleanup of current.cleanups.splice(0)) cleanup(); // stdin's end: the peer stops
    const status = await child.wait();
    if (status.kind !== "exited" || status.code !== 0)
      throw new Error(`peer ended ${JSON.stringify(status)}`);
    return (t - start) / n;
  } finally {
    client?.close();
    for (const cleanup of current.cleanups.splice(0)) {
      try {
        cleanup();
      } catch {
        // already gone
      }
    }
  }
}

async function peer(mech, kind, size, args) {
  const side = await endpoint(mech, "peer", args);
  await side.send(Buffer.from("r")); // ready: the clock starts after this
  const shared = mech.startsWith("shm") || mech.startsWith("mmap");
  for (;;) {
    const first = await side.receive(kind === "rt" ? 1 : size);
    if (first === Q) break;
    if (kind === "rt" || shared) await side.send(Buffer.from([first]));
  }
  if (kind === "tp") await side.send(Buffer.from("d"));
  side.close?.();
}

/** Makes the objects, starts the peer, measures; removes everything whatever happens. */
async function measure(kind, mech, size, ms) {
  if (mech in RPC) {
    if (kind !== "rt") throw new Error(`no tp for ${mech} (a NULL call carries no data)`);
    return measureRpc(mech, ms);
  }
  const tag = `${process.pid}-${randomBytes(3).toString("hex")}`;
  const cleanups = [];
  current = { cleanups, child: undefined };
  const fds = {};
  let args = [];
  try {
    if (mech === "pipe") {
      const [downR, downW] = lib.pipe();
      const [upR, upW] = lib.pipe();
      Object.assign(fds, { 0: downR, 1: upW });
      args = { input: upR, output: downW };
      cleanups.push(() => [upR, downW].forEach((fd) => lib.close(fd)));
    } else if (SOCKETS.includes(mech)) {
      const [mine, theirs] = connectedPair(mech);
      Object.assign(fds, { 0: theirs, 1: theirs });
      args = { input: mine, output: mine };
      cleanups.push(() => lib.close(mine));
    } else if (mech === "fifo") {
      args = ["a", "b"].map((x) => path.join(tmpdir(), `ipc-compare-${tag}-${x}`));
      for (const fifo of args) (lib.mkfifo(fifo), cleanups.push(() => lib.unlink(fifo)));
    } else if (mech === "posix-mq") {
      args = ["a", "b"].map((x) => `/ipc-compare-${tag}-${x}`);
      for (const name of args) {
        const msgsize = Math.max(64, size);
        lib.MessageQueue.open(name, { create: true, exclusive: true, maxmsg: 10, msgsize }).close();
        cleanups.push(() => lib.MessageQueue.unlink(name));
      }
    } else if (mech === "sysv-mq") {
      const id = lib.msgget(lib.IPC_PRIVATE, lib.IPC_CREAT | 0o600);
      args = [String(id)];
      cleanups.push(() => lib.msgctl(id, lib.IPC_RMID));
    } else if (mech === "signal") {
      args = [];
    } else if (["shm-sem", "shm-spin", "mmap-spin"].includes(mech)) {
      const length = DATA + Math.max(size, 64);
      if (mech === "mmap-spin") {
        const file = path.join(tmpdir(), `ipc-compare-${tag}.map`);
        lib.MappedFile.create(file, length, { exclusive: true, mode: 0o600 }).close();
        cleanups.push(() => rmSync(file, { force: true }));
        args = [file];
      } else {
        const name = `/ipc-compare-${tag}`;
        const shm = lib.SharedMemory.create(name, length, { exclusive: true });
        cleanups.push(() => (shm.close(), lib.SharedMemory.unlink(name)));
        if (mech === "shm-sem") {
          const sems = [lib.UnnamedSemaphore.init(shm, 128), lib.UnnamedSemaphore.init(shm, 192)];
          cleanups.push(() => sems.forEach((sem) => sem.close()));
        }
        args = [name];
      }
    } else throw new Error(`unknown mechanism ${mech}`);
    const signal = mech === "signal" ? lib.SignalFd.open("SIGRTMIN") : undefined;
    if (signal) cleanups.push(() => signal.close());
    const child = (current.child = lib.spawnWithFds(
      process.execPath,
      [self, "peer", mech, kind, String(size), ...(Array.isArray(args) ? args : [])],
      { fds },
    ));
    for (const fd of new Set([fds[0], fds[1]])) if (fd !== undefined) lib.close(fd);
    if (signal) {
      if ((await signal.receive({ timeout: 10_000 })).value !== -1) throw new Error("no ready");
      args = { signalFd: signal, pid: child.pid };
    }
    const side = await endpoint(mech, "parent", args);
    const shared = mech.startsWith("shm") || mech.startsWith("mmap");
    await side.receive(1); // the peer is ready
    let result;
    if (kind === "rt") {
      const byte = Buffer.from("p");
      const warm = now(); // warm-up: 100 round trips, at most 10 ms
      for (let i = 0; i < 100 && now() - warm < 10e3; i++)
        (await side.send(byte), await side.receive(1));
      let n = 0;
      const start = now();
      let t = start;
      while (t - start < ms * 1e3) {
        for (let i = 0; i < 10; i++, n++) (await side.send(byte), await side.receive(1));
        t = now();
      }
      result = (t - start) / n;
      await side.send(Buffer.from("q"));
    } else {
      const message = Buffer.alloc(size, "p");
      let n = 0;
      const start = now();
      do {
        await side.send(message);
        if (shared) await side.receive(1);
        n++;
      } while (now() - start < ms * 1e3);
      message[0] = Q;
      await side.send(message);
      await side.receive(1); // the peer has everything
      result = (n * size) / (now() - start);
    }
    if (!signal) side.close?.();
    const status = await child.wait();
    if (status.kind !== "exited" || status.code !== 0)
      throw new Error(`peer ended ${JSON.stringify(status)}`);
    return result;
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        cleanup();
      } catch {
        // already gone
      }
    }
  }
}

/** The measurement under way: what a time-out must kill and remove. */
let current = { cleanups: [], child: undefined };

/** A measurement that does not end in `ms`: its peer killed, its objects removed. */
function timedOut(ms) {
  let timer;
  const promise = new Promise((_, reject) => {
    timer = setTimeout(() => {
      try {
        if (current.child) process.kill(current.child.pid, "SIGKILL");
      } catch {
        // already gone
      }
      for (const cleanup of current.cleanups.splice(0).reverse()) {
        try {
          cleanup();
        } catch {
          // already gone
        }
      }
      reject(new Error(`no result in ${ms / 1000} s`));
    }, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

const [kind, mech, ...rest] = process.argv.slice(2);
if (kind === "peer" && mech in RPC) {
  await rpcPeer();
} else if (kind === "peer") {
  const [peerKind, size, ...args] = rest;
  await peer(mech, peerKind, Number(size), args);
} else if (kind === "rt" || kind === "tp") {
  if (kind === "tp" && mech in RPC) {
    console.error(`compare.mjs: no tp for ${mech} (a NULL call carries no data)`);
    process.exit(2);
  }
  const size = kind === "tp" ? Number(rest[0]) : 1;
  const ms = Number(kind === "tp" ? rest[1] : rest[0]);
  console.log((await measure(kind, mech, size, ms)).toFixed(3));
} else if (kind === "batch") {
  for (const job of [mech, ...rest]) {
    const [jobKind, jobMech, size, ms] = job.split(":");
    const limit = timedOut(5_000 + 2 * Number(ms));
    try {
      const value = await Promise.race([
        measure(jobKind, jobMech, Number(size), Number(ms)),
        limit.promise,
      ]);
      console.log(`${job} ${value.toFixed(3)}`);
    } catch (error) {
      console.log(`${job} failed: ${String(error?.message ?? error).split("\n")[0]}`);
    } finally {
      limit.cancel();
    }
  }
  process.exit(0); // a timed-out measurement may still be waiting
} else {
  console.error("usage: node compare.mjs rt MECH MS | tp MECH SIZE MS | batch JOB...");
  process.exit(2);
}
