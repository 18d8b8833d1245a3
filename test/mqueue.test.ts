// Message queues, both families (lib/mqueue.ts, native/src/mqueue.cc).
// POSIX: an mqd_t is a descriptor, so send/receive await readiness on the
// event loop (no thread); priorities, limits, O_NONBLOCK, time-outs,
// mq_notify, /dev/mqueue. System V: msgrcv/msgsnd wait on a thread of their
// own; mtype selection, IPC_NOWAIT, IPC_STAT/IPC_SET/IPC_RMID, EIDRM.
// Across processes: TS<->TS, TS<->C, TS<->Python (ctypes). Faults: a peer
// killed mid-way, a full queue, a queue removed under a waiter. Two tests
// need root (to become a normal user with setpriv, to make an IPC namespace).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, expect, test } from "vitest";
import {
  binDir,
  fdFlags,
  ftok,
  IPC_CREAT,
  IPC_EXCL,
  IPC_NOWAIT,
  IPC_PRIVATE,
  IPC_RMID,
  IPC_SET,
  IPC_STAT,
  listMessageQueues,
  MessageQueue,
  MQ_PRIO_MAX,
  mqueueLimits,
  mqueueStatus,
  MSG_EXCEPT,
  MSG_NOERROR,
  msgctl,
  msgget,
  msgrcv,
  msgrcvSync,
  msgsnd,
  msgsndSync,
  pendingBlockingWaits,
  pendingWaits,
  sysvMessageQueues,
} from "ipc-lab";
import { native } from "./fixtures/internals.ts";

const run = promisify(execFile);
const fixtures = path.join(import.meta.dirname, "fixtures");
const bin = (name: string) => path.join(binDir, name);
const opened: MessageQueue[] = [];
const names = new Set<string>();
const msqids = new Set<number>();
const children: ChildProcess[] = [];

function uniqueName(): string {
  const name = `/ipc-lab-test-mq-${randomBytes(4).toString("hex")}`;
  names.add(name);
  return name;
}

function queue(options: { maxmsg?: number; msgsize?: number; name?: string } = {}): MessageQueue {
  const { maxmsg = 4, msgsize = 64, name = uniqueName() } = options;
  const q = MessageQueue.open(name, { create: true, exclusive: true, maxmsg, msgsize });
  opened.push(q);
  return q;
}

function reopen(name: string, options: Parameters<typeof MessageQueue.open>[1] = {}) {
  const q = MessageQueue.open(name, options);
  opened.push(q);
  return q;
}

function sysvQueue(): number {
  const id = msgget(IPC_PRIVATE, IPC_CREAT | 0o600);
  msqids.add(id);
  return id;
}

function start(command: string, args: string[]): ChildProcess & { out: Promise<string> } {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk));
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk));
  const done = new Promise<string>((resolve, reject) =>
    child.on("close", (code, signal) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${code ?? signal}: ${err}${out}`)),
    ),
  );
  return Object.assign(child, { out: done });
}

async function lineFrom(child: ChildProcess, pattern: RegExp): Promise<string> {
  let seen = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      seen += chunk;
      const match = pattern.exec(seen);
      if (match) {
        child.stdout!.off("data", onData);
        resolve(match[0]);
      }
    };
    child.stdout!.on("data", onData);
    child.on("close", () => reject(new Error(`exited before ${pattern}: ${seen}`)));
  });
}

async function threadsDone(): Promise<void> {
  for (let i = 0; i < 2000 && pendingBlockingWaits() > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  expect(pendingBlockingWaits()).toBe(0);
}

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await new Promise((resolve) => child.on("close", resolve));
    }
  }
  for (const q of opened.splice(0)) q.close();
  for (const name of names) {
    try {
      MessageQueue.unlink(name);
    } catch {
      // Unlinked by the test itself.
    }
  }
  names.clear();
  for (const id of msqids) {
    try {
      msgctl(id, IPC_RMID);
    } catch {
      // Removed by the test itself.
    }
  }
  msqids.clear();
  await threadsDone();
  expect(pendingWaits()).toBe(0);
});

// ------------------------------------------------------------ POSIX

test("mq_open makes a queue the kernel shows in /dev/mqueue; mq_unlink removes the name", () => {
  const q = queue({ maxmsg: 3, msgsize: 32 });
  expect(q.attributes()).toEqual({ maxmsg: 3, msgsize: 32, curmsgs: 0, nonblock: false });
  expect(listMessageQueues()).toContain(q.name);
  expect(existsSync(`/dev/mqueue${q.name}`)).toBe(true);
  expect(q.trySend("hello", 2)).toBe(true);
  expect(q.attributes().curmsgs).toBe(1);
  expect(mqueueStatus(q.name)).toMatchObject({ qsize: 5, notify: 0, signo: 0, notifyPid: 0 });
  expect(q.status().qsize).toBe(5);
  // An mqd_t is a descriptor, and mq_open sets close-on-exec on it.
  expect(fdFlags(q.fd)).toMatchObject({ mode: "rw", cloexec: true, nonblock: false });
  q.unlink();
  expect(existsSync(`/dev/mqueue${q.name}`)).toBe(false);
  // The queue lives on for descriptors that have it open.
  expect(q.tryReceive()?.data.toString()).toBe("hello");
  q.close();
  expect(() => q.attributes()).toThrow(
    expect.objectContaining({
      code: "EBADF",
      message: `mq_getattr: EBADF (Bad file descriptor): 'queue ${q.name}' is closed`,
    }),
  );
  expect(() => q.trySend("x")).toThrow(expect.objectContaining({ code: "EBADF" }));
});

test("the default attributes are /proc/sys/fs/mqueue's msg_default and msgsize_default", () => {
  const name = uniqueName();
  const q = reopen(name, { create: true });
  const limits = mqueueLimits();
  expect(q.attributes()).toMatchObject({
    maxmsg: limits.msgDefault,
    msgsize: limits.msgsizeDefault,
  });
  expect(limits.msgMax).toBeGreaterThan(0);
  expect(limits.queuesMax).toBeGreaterThan(0);
});

test("highest priority first, first in first out among equals", async () => {
  const q = queue({ maxmsg: 8 });
  const sent: [string, number][] = [
    ["a", 1],
    ["b", 5],
    ["c", 1],
    ["d", 0],
    ["e", 5],
    ["f", MQ_PRIO_MAX - 1],
  ];
  for (const [text, priority] of sent) await q.send(text, { priority });
  const got: string[] = [];
  for (let i = 0; i < sent.length; i++) {
    const { data, priority } = await q.receive();
    got.push(`${data}${priority}`);
  }
  expect(got).toEqual(["f32767", "b5", "e5", "a1", "c1", "d0"]);
});

test("every receive form reports its own message's priority, with another receive pending meanwhile", async () => {
  const a = queue();
  const b = queue();
  const pending = a.receive({ timeout: 10_000 });
  await b.send("b5", { priority: 5 });
  await b.send("b9", { priority: 9 });
  b.sendSync("b2", 2);
  expect(b.receiveSync()).toEqual({ data: Buffer.from("b9"), priority: 9 });
  await a.send("a3", { priority: 3 });
  expect(b.tryReceive()).toEqual({ data: Buffer.from("b5"), priority: 5 });
  expect(await pending).toEqual({ data: Buffer.from("a3"), priority: 3 });
  expect(await b.receive()).toEqual({ data: Buffer.from("b2"), priority: 2 });
  // The addon's receive stores the priority where C's does, through an out-parameter.
  const buffer = Buffer.alloc(b.msgsize);
  expect(() => native.mqReceiveNowait(b.fd, buffer, 0, buffer.length, [0] as never)).toThrow(
    "priority must be a Uint32Array of at least one element",
  );
  expect(native.mqReceiveNowait(b.fd, buffer, 0, buffer.length, new Uint32Array(1))).toBe(-1);
});

test("messages keep their boundaries: two sends are two receives, an empty one too", async () => {
  const q = queue();
  await q.send("one");
  await q.send(new Uint8Array([0, 1, 2]));
  await q.send("");
  expect((await q.receive()).data.toString()).toBe("one");
  expect([...(await q.receive()).data]).toEqual([0, 1, 2]);
  expect((await q.receive()).data.length).toBe(0);
});

test("receive waits on the event loop (a descriptor wait, no thread) until another handle sends", async () => {
  const q = queue();
  const other = reopen(q.name, { access: "w" });
  const waiting = q.receive({ timeout: 10_000 });
  await new Promise((resolve) => setImmediate(resolve));
  expect(pendingWaits()).toBe(1);
  expect(pendingBlockingWaits()).toBe(0);
  await other.send("wake", { priority: 3 });
  expect(await waiting).toEqual({ data: Buffer.from("wake"), priority: 3 });
});

test("send waits while the queue is full and goes on when a message is taken", async () => {
  const q = queue({ maxmsg: 2 });
  expect(q.trySend("1")).toBe(true);
  expect(q.trySend("2")).toBe(true);
  expect(q.trySend("3")).toBe(false);
  let sent = false;
  const sending = q.send("3", { timeout: 10_000 }).then(() => (sent = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(sent).toBe(false);
  expect(q.tryReceive()?.data.toString()).toBe("1");
  await sending;
  expect(q.attributes().curmsgs).toBe(2);
});

test("a full queue: blocking send times out (ETIMEDOUT), try fails, O_NONBLOCK gives EAGAIN", async () => {
  const q = queue({ maxmsg: 1 });
  q.trySend("x");
  await expect(q.send("y", { timeout: 30 })).rejects.toMatchObject({
    code: "ETIMEDOUT",
    syscall: "mq_send",
    message: expect.stringContaining("timed out after 30 ms"),
  });
  const controller = new AbortController();
  const aborted = q.send("y", { signal: controller.signal });
  controller.abort(new Error("stop"));
  await expect(aborted).rejects.toThrow("stop");
  const nb = reopen(q.name, { nonblock: true });
  expect(nb.attributes().nonblock).toBe(true);
  expect(() => nb.sendSync("y")).toThrow(
    expect.objectContaining({ code: "EAGAIN", syscall: "mq_send", errno: -11 }),
  );
  expect(() => q.sendSync("y", 0, { timeout: 20 })).toThrow(
    expect.objectContaining({ code: "ETIMEDOUT", syscall: "mq_timedsend" }),
  );
  // The queue is as it was: one message.
  expect(q.attributes().curmsgs).toBe(1);
});

test("an empty queue: receive times out, receiveSync with O_NONBLOCK fails with EAGAIN", async () => {
  const q = queue();
  await expect(q.receive({ timeout: 30 })).rejects.toMatchObject({
    code: "ETIMEDOUT",
    syscall: "mq_receive",
  });
  expect(q.tryReceive()).toBeUndefined();
  expect(() => q.receiveSync({ timeout: 20 })).toThrow(
    expect.objectContaining({ code: "ETIMEDOUT", syscall: "mq_timedreceive" }),
  );
  // mq_setattr changes O_NONBLOCK only, and returns the attributes before.
  expect(q.setNonblocking(true)).toMatchObject({ nonblock: false });
  expect(() => q.receiveSync()).toThrow(
    expect.objectContaining({ code: "EAGAIN", syscall: "mq_receive" }),
  );
  // The awaitable receive still waits properly on a non-blocking description.
  const waiting = q.receive({ timeout: 10_000 });
  q.trySend("late");
  expect((await waiting).data.toString()).toBe("late");
  expect(q.setNonblocking(false)).toMatchObject({ nonblock: true });
});

test("closing a queue rejects its pending receive with EBADF", async () => {
  const q = queue();
  const waiting = q.receive();
  q.close();
  await expect(waiting).rejects.toMatchObject({ code: "EBADF" });
});

test("bad input: each error named by the kernel's code and the call", () => {
  const q = queue({ msgsize: 8 });
  expect(() => q.sendSync("123456789")).toThrow(
    expect.objectContaining({ code: "EMSGSIZE", syscall: "mq_send" }),
  );
  expect(q.trySend("12345678")).toBe(true);
  expect(() => q.trySend("x", MQ_PRIO_MAX)).toThrow(
    expect.objectContaining({ code: "EINVAL", syscall: "mq_timedsend" }),
  );
  expect(() => q.receiveSync({ bufferSize: 4 })).toThrow(
    expect.objectContaining({ code: "EMSGSIZE", syscall: "mq_receive" }),
  );
  expect(() => q.trySend("x", -1)).toThrow(expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }));
  expect(() => MessageQueue.open(uniqueName())).toThrow(
    expect.objectContaining({ code: "ENOENT", syscall: "mq_open" }),
  );
  expect(() => MessageQueue.open(q.name, { create: true, exclusive: true })).toThrow(
    expect.objectContaining({
      code: "EEXIST",
      syscall: "mq_open",
      path: q.name,
      message: `mq_open: EEXIST (File exists) '${q.name}'`,
    }),
  );
  for (const [maxmsg, msgsize] of [
    [0, 8],
    [4, 0],
    [-1, 8],
    [1 << 20, 8], // past HARD_MSGMAX, even for root
  ] as const) {
    const name = uniqueName();
    expect(() => MessageQueue.open(name, { create: true, maxmsg, msgsize })).toThrow(
      expect.objectContaining({ code: "EINVAL", syscall: "mq_open" }),
    );
  }
  expect(() => MessageQueue.open(uniqueName(), { create: true, maxmsg: 4 })).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
  );
  for (const bad of ["jobs", "/", "/a/b", ""]) {
    expect(() => MessageQueue.open(bad, { create: true })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
    );
  }
  expect(() => MessageQueue.open(42 as unknown as string)).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
  // A read-only descriptor cannot send: the kernel says EBADF.
  const reader = reopen(q.name, { access: "r" });
  expect(() => reader.trySend("x")).toThrow(
    expect.objectContaining({ code: "EBADF", syscall: "mq_timedsend" }),
  );
  expect(() => mqueueStatus(uniqueName())).toThrow(expect.objectContaining({ code: "ENOENT" }));
});

test("sendManySync and receiveManySync keep order, priorities and empty messages; max is respected", () => {
  const q = queue({ maxmsg: 8, msgsize: 16 });
  q.sendManySync(["a1", "", new Uint8Array([0, 1, 2])], 1);
  q.sendManySync(["b5", "c5"], 5);
  q.sendManySync([]); // nothing to send, no call
  q.sendSync("d0", 0);
  const first = q.receiveManySync(3);
  expect(first).toEqual([
    { data: Buffer.from("b5"), priority: 5 },
    { data: Buffer.from("c5"), priority: 5 },
    { data: Buffer.from("a1"), priority: 1 },
  ]);
  expect(q.attributes().curmsgs).toBe(3);
  // The rest, though max asks for more: what is there, highest priority first.
  expect(q.receiveManySync(100)).toEqual([
    { data: Buffer.alloc(0), priority: 1 },
    { data: Buffer.from([0, 1, 2]), priority: 1 },
    { data: Buffer.from("d0"), priority: 0 },
  ]);
  // The messages of a batch are views of one small Buffer, packed.
  q.sendManySync(["xy", "z"]);
  const [x, z] = q.receiveManySync(2);
  expect(z!.data.buffer).toBe(x!.data.buffer);
  expect(z!.data.byteOffset).toBe(x!.data.byteOffset + 2);
  expect(q.attributes().curmsgs).toBe(0);
});

test("receiveManySync waits for the first message only: what is there comes back at once, up to mq_maxmsg", () => {
  const q = queue({ maxmsg: 4, msgsize: 8192 }); // a batch this large goes through a scratch buffer
  q.sendManySync(["one", "two"]);
  const started = performance.now();
  const got = q.receiveManySync(10, { timeout: 5_000 });
  expect(performance.now() - started).toBeLessThan(1_000);
  expect(got.map((m) => m.data.toString())).toEqual(["one", "two"]);
  // Copied out of the scratch buffer: the next batch does not change them.
  q.sendManySync(["333", "444", "555", "666"]);
  expect(q.receiveManySync(10).map((m) => m.data.toString())).toEqual(["333", "444", "555", "666"]);
  expect(got.map((m) => m.data.toString())).toEqual(["one", "two"]);
  // Empty: the first receive times out, or fails with EAGAIN on an O_NONBLOCK description.
  expect(() => q.receiveManySync(4, { timeout: 20 })).toThrow(
    expect.objectContaining({ code: "ETIMEDOUT", syscall: "mq_timedreceive", fd: q.fd }),
  );
  const nb = reopen(q.name, { nonblock: true });
  expect(() => nb.receiveManySync(4)).toThrow(
    expect.objectContaining({ code: "EAGAIN", syscall: "mq_receive" }),
  );
  nb.sendManySync(["a", "b"]);
  expect(nb.receiveManySync(4)).toHaveLength(2);
});

test("sendManySync failing midway (a full queue) says how many were sent; the queue keeps those", () => {
  const q = queue({ maxmsg: 3, msgsize: 8 });
  expect(() => q.sendManySync(["1", "2", "3", "4", "5"], 0, { timeout: 20 })).toThrow(
    expect.objectContaining({
      code: "ETIMEDOUT",
      syscall: "mq_timedsend",
      sent: 3,
      message: expect.stringContaining(": 3 of 5 messages sent"),
    }),
  );
  expect(q.receiveManySync(10).map((m) => m.data.toString())).toEqual(["1", "2", "3"]);
  const nb = reopen(q.name, { nonblock: true });
  nb.sendSync("x");
  expect(() => nb.sendManySync(["a", "b", "c"])).toThrow(
    expect.objectContaining({ code: "EAGAIN", syscall: "mq_send", sent: 2, errno: -11 }),
  );
  expect(q.attributes().curmsgs).toBe(3);
});

test("sendManySync and receiveManySync: a bad argument names what was wrong, and nothing is sent", () => {
  const q = queue({ msgsize: 8 });
  expect(() => q.sendManySync("abc" as unknown as string[])).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_TYPE",
      message: 'messages must be an array of strings or Uint8Arrays, got "abc"',
    }),
  );
  expect(() => q.sendManySync(["ok", 42 as unknown as string])).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_TYPE",
      message: "messages[1] must be a string or a Uint8Array, got 42",
    }),
  );
  // Longer than mq_msgsize: EMSGSIZE as sendSync gets, found before any is sent.
  expect(() => q.sendManySync(["ok", "123456789"])).toThrow(
    expect.objectContaining({
      code: "EMSGSIZE",
      syscall: "mq_send",
      sent: 0,
      message: expect.stringContaining("messages[1] is 9 bytes, mq_msgsize 8: none sent"),
    }),
  );
  expect(() => q.sendManySync(["x"], -1)).toThrow(
    expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
  );
  expect(() => q.sendManySync(["x"], MQ_PRIO_MAX)).toThrow(
    expect.objectContaining({ code: "EINVAL", syscall: "mq_send", sent: 0 }),
  );
  expect(() => q.sendManySync(["x"], 0, { timeout: -5 })).toThrow(
    expect.objectContaining({
      code: "ERR_OUT_OF_RANGE",
      message: expect.stringContaining("timeout"),
    }),
  );
  expect(q.attributes().curmsgs).toBe(0);
  for (const max of [0, 1.5, -1]) {
    expect(() => q.receiveManySync(max)).toThrow(
      expect.objectContaining({
        code: "ERR_OUT_OF_RANGE",
        message: expect.stringMatching(/^max /),
      }),
    );
  }
  expect(() => q.receiveManySync("3" as unknown as number)).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_TYPE",
      message: 'max must be a number, got "3"',
    }),
  );
  // The kernel's own checks: a read-only descriptor cannot send, a write-only one cannot receive.
  expect(() => reopen(q.name, { access: "r" }).sendManySync(["x"])).toThrow(
    expect.objectContaining({ code: "EBADF", syscall: "mq_send", sent: 0 }),
  );
  expect(() => reopen(q.name, { access: "w" }).receiveManySync(1)).toThrow(
    expect.objectContaining({ code: "EBADF", syscall: "mq_receive" }),
  );
  // The addon checks the packed ranges itself.
  const ends = new Uint32Array([2, 1]);
  expect(() => native.mqSendMany(q.fd, Buffer.from("abc"), 0, 3, ends, 2, 0, -1)).toThrow(
    expect.objectContaining({ code: "ERR_OUT_OF_RANGE", message: "ends[1] 1 is outside 2 .. 3" }),
  );
  expect(() => native.mqSendMany(q.fd, Buffer.from("abc"), 0, 3, ends, 3, 0, -1)).toThrow(
    "ends must be a Uint32Array of at least 3 elements",
  );
  expect(q.attributes().curmsgs).toBe(0);
  q.close();
  expect(() => q.sendManySync(["x"])).toThrow(expect.objectContaining({ code: "EBADF" }));
  expect(() => q.receiveManySync(1)).toThrow(expect.objectContaining({ code: "EBADF" }));
});

test("across processes: a TS peer's sendManySync batches into this one's receiveManySync, nothing lost, in order", async () => {
  const q = queue({ maxmsg: 10, msgsize: 16 });
  const count = 5_000;
  const script = `import { MessageQueue } from "ipc-lab";
    const q = MessageQueue.open(${JSON.stringify(q.name)}, { access: "w" });
    for (let i = 0; i < ${count}; i += 7) {
      const batch = [];
      for (let j = i; j < Math.min(i + 7, ${count}); j++) batch.push("m" + j);
      q.sendManySync(batch, 0, { timeout: 20000 });
    }
    q.sendManySync(["end"]);`;
  const peer = start(process.execPath, ["--input-type=module", "-e", script]);
  const got: string[] = [];
  for (;;) {
    // Blocks this process: the time-out ends it should the peer fail.
    const batch = q.receiveManySync(10, { timeout: 20_000 });
    got.push(...batch.map((m) => m.data.toString()));
    if (got.at(-1) === "end") break;
  }
  await peer.out;
  expect(got).toEqual([...Array.from({ length: count }, (_, i) => `m${i}`), "end"]);
});

test("over RLIMIT_MSGQUEUE mq_open fails with EMFILE (a C program under prlimit)", async () => {
  const name = uniqueName();
  await expect(
    run("prlimit", ["--msgqueue=100", bin("mq_receiver"), "-c", name, "0"]),
  ).rejects.toMatchObject({ stderr: "mq_open: Too many open files\n" });
  expect(existsSync(`/dev/mqueue${name}`)).toBe(false);
});

test.skipIf(process.getuid?.() !== 0)(
  "permissions: a normal user (nobody, via setpriv) gets EACCES on a 0600 queue, not on a 0622 one",
  async () => {
    const nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];
    const closed = queue();
    await expect(
      run("setpriv", [...nobody, bin("mq_sender"), closed.name, "hi", "0"]),
    ).rejects.toMatchObject({ stderr: "mq_open: Permission denied\n" });
    const name = uniqueName();
    const umask = process.umask(0); // else the umask (022) takes the write bits away again
    const open = reopen(name, { create: true, mode: 0o622 });
    process.umask(umask);
    expect(statSync(`/dev/mqueue${name}`).mode & 0o777).toBe(0o622);
    await run("setpriv", [...nobody, bin("mq_sender"), name, "from nobody", "1"]);
    expect(open.tryReceive()).toEqual({ data: Buffer.from("from nobody"), priority: 1 });
  },
);

test.skipIf(process.getuid?.() !== 0)(
  "too many queues: past queues_max a normal user gets ENOSPC (in an IPC namespace of its own)",
  async () => {
    // queues_max is per IPC namespace: lower it in a throwaway one, not for the machine.
    const as = `setpriv --reuid=65534 --regid=65534 --clear-groups ${bin("mq_receiver")} -c`;
    const script = `echo 1 > /proc/sys/fs/mqueue/queues_max && ${as} /first 0 && ${as} /second 0`;
    await expect(run("unshare", ["--ipc", "sh", "-c", script])).rejects.toMatchObject({
      stderr: "mq_open: No space left on device\n",
    });
  },
);

test("mq_notify: a signal when the empty queue gets a message; one-shot; one process at a time", async () => {
  const q = queue();
  const got: string[] = [];
  const onSignal = () => got.push("SIGUSR2");
  process.on("SIGUSR2", onSignal);
  try {
    q.notify("SIGUSR2");
    expect(mqueueStatus(q.name)).toMatchObject({ notify: 0, signo: 12, notifyPid: process.pid });
    const other = reopen(q.name);
    expect(() => other.notify("SIGUSR2")).toThrow(
      expect.objectContaining({ code: "EBUSY", syscall: "mq_notify" }),
    );
    q.trySend("first");
    for (let i = 0; i < 500 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 2));
    expect(got).toEqual(["SIGUSR2"]);
    // Fired once: the registration is gone; a second message brings nothing.
    expect(mqueueStatus(q.name).notifyPid).toBe(0);
    q.tryReceive();
    q.trySend("second");
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(["SIGUSR2"]);
    // Registered again on a queue that is not empty: nothing until it empties and refills.
    q.notify("SIGUSR2");
    q.trySend("third");
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(["SIGUSR2"]);
    q.notify(null);
    expect(mqueueStatus(q.name).notifyPid).toBe(0);
    q.notify("none");
    expect(mqueueStatus(q.name)).toMatchObject({ notify: 1, notifyPid: process.pid });
    q.notify(null);
    expect(() => q.notify("SIGNOPE" as NodeJS.Signals)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
    );
  } finally {
    process.off("SIGUSR2", onSignal);
  }
});

test("mq_unlink while a receiver waits: the receiver keeps the queue and still gets messages", async () => {
  const q = queue();
  const sender = reopen(q.name, { access: "w" });
  const waiting = q.receive({ timeout: 10_000 });
  MessageQueue.unlink(q.name);
  expect(listMessageQueues()).not.toContain(q.name);
  await sender.send("still here");
  expect((await waiting).data.toString()).toBe("still here");
  expect(() => MessageQueue.open(q.name)).toThrow(expect.objectContaining({ code: "ENOENT" }));
});

test("TS -> C and C -> TS: mq_sender's messages arrive by priority; mq_receiver takes the library's", async () => {
  const q = queue({ maxmsg: 10, msgsize: 128 });
  await run(bin("mq_sender"), [q.name, "low", "1", "high", "7", "mid", "4"]);
  const got = [];
  for (let i = 0; i < 3; i++) got.push(await q.receive({ timeout: 10_000 }));
  expect(got.map((m) => `${m.data}:${m.priority}`)).toEqual(["high:7", "mid:4", "low:1"]);

  const receiver = start(bin("mq_receiver"), [q.name, "2"]);
  await lineFrom(receiver, /ready: .*\n/);
  await q.send("from TS", { priority: 2 });
  await q.send("urgent", { priority: 9 });
  const out = await receiver.out;
  expect(out).toContain("maxmsg 10 msgsize 128");
  expect(out).toMatch(/priority (2: from TS|9: urgent)\n/);
});

test("TS <-> TS and TS <-> Python (ctypes): a relay in another process, both directions", async () => {
  for (const [command, script] of [
    [process.execPath, "mq-relay.mjs"],
    ["python3", "mq-relay.py"],
  ] as const) {
    const there = queue({ maxmsg: 4, msgsize: 64 });
    const back = queue({ maxmsg: 4, msgsize: 64 });
    const relay = start(command, [path.join(fixtures, script), there.name, back.name, "3"]);
    await there.send("one", { priority: 1 });
    await there.send("two", { priority: 2 });
    await there.send("three", { priority: 3 });
    const got = [];
    for (let i = 0; i < 3; i++) got.push(await back.receive({ timeout: 20_000 }));
    await relay.out;
    // The relay may have started after all three were queued (3, 2, 1) or not: all arrive, upper-cased.
    expect(got.map((m) => `${m.data}:${m.priority}`).sort()).toEqual(["ONE:1", "THREE:3", "TWO:2"]);
  }
});

test("a mailbox: several C senders and several receivers share one queue, nothing lost or doubled", async () => {
  const q = queue({ maxmsg: 10, msgsize: 64 });
  const senders = [0, 1, 2].map((s) =>
    run(bin("mq_sender"), [
      q.name,
      ...Array.from({ length: 6 }, (_, i) => [`s${s}m${i}`, "0"]).flat(),
    ]),
  );
  const a = reopen(q.name, { access: "r" });
  const b = reopen(q.name, { access: "r" });
  const taken: Record<string, string[]> = { a: [], b: [] };
  const take = async (who: "a" | "b", handle: MessageQueue) => {
    for (let i = 0; i < 9; i++)
      taken[who]!.push((await handle.receive({ timeout: 20_000 })).data.toString());
  };
  await Promise.all([...senders, take("a", a), take("b", b)]);
  const all = [...taken.a!, ...taken.b!].sort();
  expect(all).toHaveLength(18);
  expect(new Set(all).size).toBe(18);
  // Each sender's own messages stay in order (FIFO at one priority).
  for (let s = 0; s < 3; s++) {
    for (const list of [taken.a!, taken.b!]) {
      const mine = list.filter((m) => m.startsWith(`s${s}`));
      expect(mine).toEqual([...mine].sort());
    }
  }
});

test("a receiver killed mid-way takes only what it received; the rest waits for the next one", async () => {
  const q = queue({ maxmsg: 10, msgsize: 64 });
  const receiver = start(bin("mq_receiver"), [q.name, "5"]);
  await lineFrom(receiver, /ready: .*\n/);
  await q.send("m0");
  await lineFrom(receiver, /priority 0: m0\n/);
  receiver.kill("SIGKILL");
  await receiver.out.catch(() => {});
  for (const m of ["m1", "m2", "m3"]) await q.send(m);
  const rest = [];
  for (let i = 0; i < 3; i++) rest.push((await q.receive({ timeout: 10_000 })).data.toString());
  expect(rest).toEqual(["m1", "m2", "m3"]);
});

// ------------------------------------------------------------ System V

test("msgget with an ftok key; msgsnd/msgrcv by type 0, > 0, < 0 and MSG_EXCEPT; IPC_STAT", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-msg-"));
  try {
    const keyFile = path.join(dir, "key");
    writeFileSync(keyFile, "");
    const key = ftok(keyFile, "Q");
    const id = msgget(key, IPC_CREAT | IPC_EXCL | 0o640);
    msqids.add(id);
    expect(msgget(key, 0)).toBe(id);
    expect(() => msgget(key, IPC_CREAT | IPC_EXCL | 0o600)).toThrow(
      expect.objectContaining({ code: "EEXIST", syscall: "msgget", key }),
    );
    for (const [type, text] of [
      [3, "c"],
      [1, "a"],
      [2, "b"],
      [1, "a2"],
      [5, "e"],
    ] as const)
      await msgsnd(id, type, text);
    const ds = msgctl(id, IPC_STAT);
    expect(ds).toMatchObject({
      key,
      qnum: 5,
      cbytes: 6,
      permissions: "rw-r-----",
      lspid: process.pid,
    });
    expect(sysvMessageQueues().find((q) => q.msqid === id)).toMatchObject({
      key,
      qnum: 5,
      cbytes: 6,
      perms: 0o640,
    });
    expect((await msgrcv(id, 16, 0)).data.toString()).toBe("c"); // 0: the first
    expect(await msgrcv(id, 16, 1)).toEqual({ type: 1, data: Buffer.from("a") }); // > 0: that type
    expect((await msgrcv(id, 16, -2)).data.toString()).toBe("a2"); // < 0: lowest type <= 2
    expect((await msgrcv(id, 16, 2, MSG_EXCEPT)).data.toString()).toBe("e"); // not type 2
    expect((await msgrcv(id, 16, 0)).data.toString()).toBe("b");
    expect(msgctl(id, IPC_STAT)).toMatchObject({ qnum: 0, lspid: process.pid });
    msgctl(id, IPC_RMID);
    msqids.delete(id);
    expect(sysvMessageQueues().some((q) => q.msqid === id)).toBe(false);
    expect(() => msgget(key, 0)).toThrow(expect.objectContaining({ code: "ENOENT" }));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("IPC_NOWAIT: ENOMSG when nothing matches, EAGAIN when msg_qbytes is reached", async () => {
  const id = sysvQueue();
  await expect(msgrcv(id, 16, 0, IPC_NOWAIT)).rejects.toMatchObject({
    code: "ENOMSG",
    syscall: "msgrcv",
    msqid: id,
  });
  msgctl(id, IPC_SET, { qbytes: 8 });
  expect(msgctl(id, IPC_STAT).qbytes).toBe(8);
  await msgsnd(id, 1, "12345678");
  await expect(msgsnd(id, 1, "x", IPC_NOWAIT)).rejects.toMatchObject({
    code: "EAGAIN",
    syscall: "msgsnd",
  });
  await expect(msgrcv(id, 16, 2, IPC_NOWAIT)).rejects.toMatchObject({ code: "ENOMSG" });
});

test("a blocking msgrcv waits on a thread of its own and resolves when another process sends", async () => {
  const id = sysvQueue();
  const waiting = msgrcv(id, 64, 7, 0, { timeout: 10_000 });
  expect(pendingBlockingWaits()).toBe(1);
  await run(process.execPath, [
    "--input-type=module",
    "-e",
    `import { msgsnd } from "ipc-lab"; await msgsnd(${id}, 7, "from another process");`,
  ]);
  expect(await waiting).toEqual({ type: 7, data: Buffer.from("from another process") });
});

test("a blocking msgsnd on a full queue waits, then goes on when a message is taken", async () => {
  const id = sysvQueue();
  msgctl(id, IPC_SET, { qbytes: 4 });
  await msgsnd(id, 1, "1234");
  let sent = false;
  const sending = msgsnd(id, 1, "5", 0, { timeout: 10_000 }).then(() => (sent = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(sent).toBe(false);
  expect(pendingBlockingWaits()).toBe(1);
  await msgrcv(id, 16);
  await sending;
  expect(msgctl(id, IPC_STAT).qnum).toBe(1);
});

test("msgrcv stops on its time-out and AbortSignal; the thread ends", async () => {
  const id = sysvQueue();
  await expect(msgrcv(id, 16, 0, 0, { timeout: 30 })).rejects.toMatchObject({
    code: "ETIMEDOUT",
    syscall: "msgrcv",
    msqid: id,
  });
  const controller = new AbortController();
  const waiting = msgrcv(id, 16, 0, 0, { signal: controller.signal });
  controller.abort(new Error("enough"));
  await expect(waiting).rejects.toThrow("enough");
  await threadsDone();
  // Nothing was taken by the cancelled waits.
  await msgsnd(id, 1, "kept");
  expect((await msgrcv(id, 16)).data.toString()).toBe("kept");
});

test("a queue removed while a receiver waits: EIDRM; the id then gives EINVAL", async () => {
  const id = sysvQueue();
  const waiting = msgrcv(id, 16, 0);
  await new Promise((resolve) => setTimeout(resolve, 20));
  msgctl(id, IPC_RMID);
  msqids.delete(id);
  await expect(waiting).rejects.toMatchObject({
    code: "EIDRM",
    syscall: "msgrcv",
    message: `msgrcv: EIDRM (Identifier removed) msqid ${id}`,
  });
  await expect(msgsnd(id, 1, "x")).rejects.toMatchObject({ code: "EINVAL", syscall: "msgsnd" });
  expect(() => msgctl(id, IPC_STAT)).toThrow(expect.objectContaining({ code: "EINVAL" }));
});

test("System V bad input: type 0 to msgsnd, a message over maxsize (E2BIG, MSG_NOERROR cuts it)", async () => {
  const id = sysvQueue();
  await expect(msgsnd(id, 0, "x")).rejects.toMatchObject({ code: "EINVAL", syscall: "msgsnd" });
  await msgsnd(id, 1, "0123456789");
  await expect(msgrcv(id, 4)).rejects.toMatchObject({ code: "E2BIG", syscall: "msgrcv" });
  expect((await msgrcv(id, 4, 0, MSG_NOERROR)).data.toString()).toBe("0123");
  expect(() => msgget(0x7fff_1234, 0)).toThrow(
    expect.objectContaining({ code: "ENOENT", syscall: "msgget" }),
  );
  expect(() => msgget(IPC_PRIVATE, 0o1000000)).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
  );
  expect(() => msgrcv(-1, 4)).toThrow(expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }));
  expect(() => msgctl(id, 99 as typeof IPC_STAT)).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
  );
});

test("msgsndSync and msgrcvSync block this process: a C echo peer in another process answers", async () => {
  const id = sysvQueue();
  // Should the peer fail, removing the queue ends the blocked msgrcvSync (EIDRM) instead of hanging.
  const watchdog = start(process.execPath, [
    "-e",
    `setTimeout(() => require("node:child_process").execFileSync("ipcrm", ["-q", "${id}"]), 20000)`,
  ]);
  watchdog.out.catch(() => {}); // killed by afterEach
  const echo = start(bin("mq_bench"), ["sysv-echo", String(id)]);
  for (const text of ["a", "bc"]) {
    msgsndSync(id, 1, text);
    expect(msgrcvSync(id, 8, 2)).toEqual({ type: 2, data: Buffer.from(text.slice(0, 1)) });
  }
  msgsndSync(id, 1, "q");
  await echo.out;
  expect(msgctl(id, IPC_STAT)).toMatchObject({ qnum: 0, lspid: process.pid });
  expect(pendingBlockingWaits()).toBe(0); // no thread: the calls ran on this one
});

test("msgrcvSync and msgsndSync in a TS peer process answer this one's awaitable calls", async () => {
  const id = sysvQueue();
  const script = `import { msgrcvSync, msgsndSync } from "ipc-lab";
    for (let m = msgrcvSync(${id}, 64, 1); m.data.length > 0; m = msgrcvSync(${id}, 64, 1))
      msgsndSync(${id}, 2, m.data.toString().toUpperCase());`;
  const peer = start(process.execPath, ["--input-type=module", "-e", script]);
  for (const text of ["one", "two"]) {
    await msgsnd(id, 1, text);
    expect(await msgrcv(id, 64, 2, 0, { timeout: 10_000 })).toEqual({
      type: 2,
      data: Buffer.from(text.toUpperCase()),
    });
  }
  await msgsnd(id, 1, "");
  await peer.out;
});

test("System V messages of every size keep their bytes and type, and a received one owns only its text", async () => {
  const id = sysvQueue();
  // Around the addon's stack room for a send (256 bytes) and the pool-slice
  // limit for a receive (Buffer.poolSize / 2), up to msgmax (8192); one at a
  // time (the queue holds 16 KiB).
  const sizes = [0, 1, 255, 256, 257, 4087, 4088, 4089, 8192];
  const sent = sizes.map((n, i) => Buffer.alloc(n, 0x41 + i));
  const got = sent.map((bytes, i) => {
    msgsndSync(id, 2 ** 31 - 1 - i, bytes);
    return msgrcvSync(id, 8192);
  });
  expect(got.map((m) => m.type)).toEqual(sizes.map((_, i) => 2 ** 31 - 1 - i));
  expect(got.map((m) => m.data)).toEqual(sent);
  expect(got[1]!.data.toString()).toBe("B");
  // The awaitable form takes the same path first (a message already there).
  await msgsnd(id, 7, sent[6]!);
  expect(await msgrcv(id, 8192)).toEqual({ type: 7, data: sent[6] });
  // maxsize 8192 is received into a shared scratch buffer: what came before is a copy, unchanged.
  expect(got.map((m) => m.data)).toEqual(sent);
});

test("msgsndSync and msgrcvSync: IPC_NOWAIT, sizes and bad input fail as the kernel and the checks say", () => {
  const id = sysvQueue();
  expect(() => msgrcvSync(id, 16, 0, IPC_NOWAIT)).toThrow(
    expect.objectContaining({
      code: "ENOMSG",
      syscall: "msgrcv",
      msqid: id,
      message: `msgrcv: ENOMSG (No message of desired type) msqid ${id}`,
    }),
  );
  msgctl(id, IPC_SET, { qbytes: 4 });
  msgsndSync(id, 3, "1234");
  expect(() => msgsndSync(id, 1, "5", IPC_NOWAIT)).toThrow(
    expect.objectContaining({ code: "EAGAIN", syscall: "msgsnd", msqid: id }),
  );
  expect(() => msgrcvSync(id, 2)).toThrow(expect.objectContaining({ code: "E2BIG" }));
  expect(msgrcvSync(id, 2, -5, MSG_NOERROR)).toEqual({ type: 3, data: Buffer.from("12") });
  expect(() => msgsndSync(id, 0, "x")).toThrow(
    expect.objectContaining({ code: "EINVAL", syscall: "msgsnd" }),
  );
  expect(() => msgsndSync(-1, 1, "x")).toThrow(
    expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
  );
  expect(() => msgsndSync(id, 1, 42 as unknown as string)).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
  expect(() => msgsndSync(id, 1, "x", MSG_NOERROR)).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
  );
  expect(() => msgrcvSync(id, -1)).toThrow(expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }));
  expect(() => msgrcvSync(id, 8, 0, 0o7777777)).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
  );
  msgctl(id, IPC_RMID);
  msqids.delete(id);
  expect(() => msgrcvSync(id, 8, 0, IPC_NOWAIT)).toThrow(
    expect.objectContaining({ code: "EINVAL", syscall: "msgrcv" }),
  );
  expect(() => msgsndSync(id, 1, "x")).toThrow(
    expect.objectContaining({ code: "EINVAL", syscall: "msgsnd" }),
  );
});

test("the one-queue server: C server, TS clients; TS server, C clients; replies by mtype = pid", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-msg-"));
  try {
    const keyFile = path.join(dir, "key");
    writeFileSync(keyFile, "");
    const key = ftok(keyFile, "S");
    // C server, TS client: request type 1 = { int pid; char text[] }, reply type = pid.
    const server = start(bin("msg_server"), [keyFile, "S"]);
    const ready = await lineFrom(server, /ready: key \S+ msqid (\d+)\n/);
    const id = Number(/msqid (\d+)/.exec(ready)![1]);
    msqids.add(id);
    expect(msgget(key, 0)).toBe(id);
    const request = (pid: number, text: string) => {
      const body = Buffer.alloc(4 + Buffer.byteLength(text) + 1);
      body.writeInt32LE(pid);
      body.write(text, 4);
      return body;
    };
    // Two "clients" in this process with made-up pids: each gets only its own reply.
    await msgsnd(id, 1, request(111111, "hello"));
    await msgsnd(id, 1, request(222222, "world"));
    const second = await msgrcv(id, 128, 222222, 0, { timeout: 10_000 });
    const first = await msgrcv(id, 128, 111111, 0, { timeout: 10_000 });
    expect(first.data.toString()).toBe("HELLO\0");
    expect(second.data.toString()).toBe("WORLD\0");
    await msgsnd(id, 1, request(0, "quit"));
    expect(await server.out).toContain(`removed msqid ${id}`);
    msqids.delete(id);

    // TS server, C clients.
    const id2 = msgget(key, IPC_CREAT | 0o600);
    msqids.add(id2);
    const clients = ["ab", "cd", "ef"].map((text) => run(bin("msg_client"), [keyFile, "S", text]));
    for (let i = 0; i < 3; i++) {
      const req = await msgrcv(id2, 256, 1, 0, { timeout: 10_000 });
      const pid = req.data.readInt32LE(0);
      const text = req.data.subarray(4).toString().replace(/\0.*$/s, "");
      await msgsnd(id2, pid, `${text.toUpperCase()}\0`);
    }
    const outs = (await Promise.all(clients)).map((r) => r.stdout).sort();
    expect(outs).toEqual(["reply: AB\n", "reply: CD\n", "reply: EF\n"]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
