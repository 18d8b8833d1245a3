/**
 * Message queues: the kernel keeps whole messages in order until someone
 * takes them (lecture: message passing through a mailbox). Two families:
 *
 * - POSIX (`MessageQueue`): named like "/jobs", each queue a file in
 *   /dev/mqueue; messages carry a priority (0 .. MQ_PRIO_MAX - 1) and the
 *   highest comes out first, FIFO among equals. On Linux the queue handle
 *   (mqd_t) is a descriptor, so send() and receive() await readiness on
 *   Node's event loop like a pipe: no thread is parked. Their non-blocking
 *   attempt is mq_timedsend/mq_timedreceive with a deadline already past,
 *   which never changes O_NONBLOCK on a description a child may share.
 *   sendManySync/receiveManySync take a batch per call into the addon.
 * - System V (`msgget`, `msgsnd`, `msgrcv`, `msgctl`): integer keys and ids,
 *   typed messages (`mtype`), no descriptor, so a blocking msgsnd/msgrcv
 *   waits on a thread of its own (lib/blocking.ts). `ipcs -q` lists them.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { constants, endianness } from "node:os";
import { inspect } from "node:util";
import { native, type NativeMsqidDs } from "./native";
import * as C from "./constants";
import { toBytes, type ByteInput } from "./bytes";
import { Descriptor } from "./descriptor";
import {
  checkInteger,
  checkOptions,
  invalidType,
  invalidValue,
  outOfRange,
  show,
  systemError,
  type SystemError,
} from "./errors";
import { blockingWait } from "./blocking";
import { formatPermissions } from "./memory";
import { checkPosixName } from "./names";
import { whenReady } from "./poll";
import { checkWaitOptions, type WaitOptions } from "./waiting";

const { signals } = constants;

// ---------------------------------------------------------------- POSIX

export interface MessageQueueOpenOptions {
  /** O_CREAT: make the queue if it does not exist. */
  create?: boolean;
  /** With create, O_EXCL: fail with EEXIST if it exists. */
  exclusive?: boolean;
  /** Permission bits for a new queue (default 0o600, less the umask). */
  mode?: number;
  /** For a new queue: how many messages it holds (mq_maxmsg; default /proc/sys/fs/mqueue/msg_default). */
  maxmsg?: number;
  /** For a new queue: the largest message in bytes (mq_msgsize; default msgsize_default). */
  msgsize?: number;
  /** O_RDONLY, O_WRONLY or O_RDWR (default "rw"). */
  access?: "r" | "w" | "rw";
  /** O_NONBLOCK on this description: sendSync/receiveSync fail with EAGAIN instead of blocking. */
  nonblock?: boolean;
}

/** struct mq_attr, as mq_getattr reports it. */
export interface MessageQueueAttributes {
  /** Messages the queue holds at most, and the largest message in bytes: fixed at creation. */
  maxmsg: number;
  msgsize: number;
  /** Messages in the queue now. */
  curmsgs: number;
  /** O_NONBLOCK is set on this description (mq_flags). */
  nonblock: boolean;
}

export interface MessageQueueSendOptions extends WaitOptions {
  /** 0 .. MQ_PRIO_MAX - 1; higher comes out first (default 0). */
  priority?: number;
}

export interface ReceivedMessage {
  data: Buffer;
  priority: number;
}

/** What sendManySync throws: the failed call's error, and how many messages the queue took before it. */
export interface SendManyError extends SystemError {
  sent: number;
}

/** What the kernel shows in /dev/mqueue/NAME. */
export interface MessageQueueStatus {
  /** QSIZE: bytes of message data in the queue now. */
  qsize: number;
  /** NOTIFY: 0 signal, 1 none, 2 thread (SIGEV_*); SIGNO and NOTIFY_PID of the registered process (0: none). */
  notify: number;
  signo: number;
  notifyPid: number;
}

const ACCESS = { r: C.O_RDONLY, w: C.O_WRONLY, rw: C.O_RDWR } as const;

function toAttributes(raw: { flags: number; maxmsg: number; msgsize: number; curmsgs: number }) {
  return {
    maxmsg: raw.maxmsg,
    msgsize: raw.msgsize,
    curmsgs: raw.curmsgs,
    nonblock: (raw.flags & C.O_NONBLOCK) !== 0,
  };
}

function checkPriority(priority: unknown): number {
  // The kernel checks the upper bound (EINVAL at MQ_PRIO_MAX and above).
  return checkInteger("priority", priority, 0, 2 ** 31 - 1);
}

/** A POSIX message queue this process has open: one mqd_t, a descriptor. */
export class MessageQueue extends Descriptor {
  readonly name: string;
  /** mq_msgsize, fixed at creation: every receive needs a buffer this large. */
  readonly msgsize: number;
  // mq_maxmsg, also fixed: the most a receiveManySync can find there at once.
  readonly #maxmsg: number;
  #scratch: Buffer | undefined;
  #batchScratch: Buffer | undefined;

  private constructor(fd: number, name: string) {
    super(fd, `queue ${name}`);
    this.name = name;
    const { msgsize, maxmsg } = native.mqGetattr(fd);
    this.msgsize = msgsize;
    this.#maxmsg = maxmsg;
  }

  /** mq_open(3). */
  static open(name: string, options?: MessageQueueOpenOptions): MessageQueue {
    checkPosixName(name);
    const {
      create,
      exclusive,
      mode = 0o600,
      maxmsg,
      msgsize,
      access = "rw",
      nonblock,
    } = checkOptions(options, "{ create: true, maxmsg: 10, msgsize: 128 }");
    checkInteger("mode", mode, 0, 0o777);
    if (!(access in ACCESS)) {
      throw invalidValue(`access must be "r", "w" or "rw", got ${show(access)}`);
    }
    if ((maxmsg === undefined) !== (msgsize === undefined)) {
      throw invalidValue("maxmsg and msgsize go together: give both or neither");
    }
    // Zero and negatives reach the kernel, which answers EINVAL as C would get.
    if (maxmsg !== undefined) checkInteger("maxmsg", maxmsg, -(2 ** 31), 2 ** 31 - 1);
    if (msgsize !== undefined) checkInteger("msgsize", msgsize, -(2 ** 31), 2 ** 31 - 1);
    if (maxmsg !== undefined && !create) {
      throw invalidValue("maxmsg and msgsize only apply with create: true");
    }
    const flags =
      ACCESS[access] |
      (create ? C.O_CREAT : 0) |
      (create && exclusive ? C.O_EXCL : 0) |
      (nonblock ? C.O_NONBLOCK : 0);
    const fd = native.mqOpen(name, flags, mode, maxmsg !== undefined, maxmsg ?? 0, msgsize ?? 0);
    return new MessageQueue(fd, name);
  }

  /** mq_unlink(3): removes the name; descriptors open on the queue keep it until closed. */
  static unlink(name: string): void {
    native.mqUnlink(checkPosixName(name));
  }

  /** mq_unlink of this queue's name. */
  unlink(): void {
    MessageQueue.unlink(this.name);
  }

  /** mq_getattr(3). */
  attributes(): MessageQueueAttributes {
    this.checkOpen("mq_getattr");
    return toAttributes(native.mqGetattr(this.fd));
  }

  /**
   * mq_setattr(3): only O_NONBLOCK can change, on this description (every
   * descriptor sharing it, a forked child's too). Returns the attributes before.
   */
  setNonblocking(on: boolean): MessageQueueAttributes {
    this.checkOpen("mq_setattr");
    if (typeof on !== "boolean") throw invalidValue(`on must be true or false, got ${show(on)}`);
    return toAttributes(native.mqSetattr(this.fd, on ? C.O_NONBLOCK : 0));
  }

  /** mq_send(3), awaitable: waits (on the event loop) while the queue is full. */
  send(data: ByteInput, options: MessageQueueSendOptions = {}): Promise<void> {
    this.checkOpen("mq_send");
    checkWaitOptions(options);
    const priority = checkPriority(options.priority ?? 0);
    const bytes = toBytes(data);
    const fd = this.fd;
    const attempt = () => native.mqSendNowait(fd, bytes, 0, bytes.length, priority);
    // One attempt here, without the event loop: a queue with room takes the
    // message at once (a burst of sends costs one call each).
    try {
      if (attempt()) return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
    return whenReady(fd, "writable", "mq_send", () => (attempt() ? true : undefined), options).then(
      () => undefined,
    );
  }

  /** mq_receive(3), awaitable: the oldest message of the highest priority, waiting while empty. */
  receive(options: WaitOptions = {}): Promise<ReceivedMessage> {
    this.checkOpen("mq_receive");
    checkWaitOptions(options);
    const fd = this.fd;
    const buffer = this.#buffer();
    const attempt = () => {
      const n = native.mqReceiveNowait(fd, buffer, 0, buffer.length, priorityOut);
      return n < 0 ? undefined : this.#message(buffer, n);
    };
    // As in send(): a message already there is taken at once.
    try {
      const message = attempt();
      if (message) return Promise.resolve(message);
    } catch (error) {
      return Promise.reject(error);
    }
    return whenReady(fd, "readable", "mq_receive", attempt, options);
  }

  /** One attempt: true if sent, false if the queue is full (mq_timedsend's "would block"). */
  trySend(data: ByteInput, priority = 0): boolean {
    this.checkOpen("mq_send");
    const bytes = toBytes(data);
    return native.mqSendNowait(this.fd, bytes, 0, bytes.length, checkPriority(priority));
  }

  /** One attempt: the next message, or undefined if the queue is empty. */
  tryReceive(): ReceivedMessage | undefined {
    this.checkOpen("mq_receive");
    const buffer = this.#buffer();
    const n = native.mqReceiveNowait(this.fd, buffer, 0, buffer.length, priorityOut);
    return n < 0 ? undefined : this.#message(buffer, n);
  }

  /**
   * The plain call, for the lessons on blocking: mq_send(3), or with
   * `timeout` mq_timedsend(3). It blocks this whole process while the queue
   * is full (unless the description is O_NONBLOCK: EAGAIN); use send().
   */
  sendSync(data: ByteInput, priority = 0, options: { timeout?: number } = {}): void {
    this.checkOpen("mq_send");
    const bytes = toBytes(data);
    const p = checkPriority(priority);
    const { timeout } = checkOptions(options, "{ timeout: 100 }");
    if (timeout === undefined) native.mqSend(this.fd, bytes, 0, bytes.length, p);
    else native.mqTimedsend(this.fd, bytes, 0, bytes.length, p, checkTimeout(timeout));
  }

  /** mq_receive(3), or with `timeout` mq_timedreceive(3): blocks this process while empty. */
  receiveSync(options: { timeout?: number; bufferSize?: number } = {}): ReceivedMessage {
    this.checkOpen("mq_receive");
    const { timeout, bufferSize } = checkOptions(options, "{ timeout: 100 }");
    // A smaller buffer than mq_msgsize is the classic mistake: EMSGSIZE.
    const buffer =
      bufferSize === undefined
        ? this.#buffer()
        : Buffer.alloc(checkInteger("bufferSize", bufferSize, 0, 2 ** 31 - 1));
    const n =
      timeout === undefined
        ? native.mqReceive(this.fd, buffer, 0, buffer.length, priorityOut)
        : native.mqTimedreceive(
            this.fd,
            buffer,
            0,
            buffer.length,
            priorityOut,
            checkTimeout(timeout),
          );
    return this.#message(buffer, n);
  }

  /**
   * sendSync for a batch, as sendmmsg(2) is for sockets: one mq_send per
   * message, in order, all at `priority`, made from one call into the addon.
   * In a loop of sendSync that call (the N-API crossing), not the kernel, is
   * what costs more than C; here it is paid once per batch, and the kernel
   * still sees what C's loop makes, one mq_send per message. Blocks while
   * the queue is full, as sendSync (EAGAIN on an O_NONBLOCK description);
   * `timeout` is one deadline for the whole batch (mq_timedsend). Empty
   * messages are messages; one longer than mq_msgsize fails with EMSGSIZE
   * before any is sent. A send failing midway throws its error with `sent`,
   * how many the queue took before it (a SendManyError).
   */
  sendManySync(
    messages: readonly ByteInput[],
    priority = 0,
    options: { timeout?: number } = {},
  ): void {
    this.checkOpen("mq_send");
    if (!Array.isArray(messages)) {
      throw invalidType(
        `messages must be an array of strings or Uint8Arrays, got ${show(messages)}`,
      );
    }
    const p = checkPriority(priority);
    const { timeout } = checkOptions(options, "{ timeout: 100 }");
    const ms = timeout === undefined ? -1 : checkTimeout(timeout);
    const count = messages.length;
    if (count === 0) return;
    // Packed into one buffer, message i ending at ends[i]: one argument, not count.
    const ends = batchArrays(count).ends;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const message: unknown = messages[i];
      const length =
        typeof message === "string"
          ? Buffer.byteLength(message)
          : message instanceof Uint8Array
            ? message.length
            : badMessage(i, message);
      if (length > this.msgsize) {
        const syscall = ms < 0 ? "mq_send" : "mq_timedsend";
        const detail = `messages[${i}] is ${length} bytes, mq_msgsize ${this.msgsize}: none sent`;
        throw Object.assign(systemError("EMSGSIZE", syscall, { fd: this.fd }, detail), { sent: 0 });
      }
      total += length;
      if (total > 0xffff_ffff) throw outOfRange("messages must hold less than 4 GiB in all");
      ends[i] = total;
    }
    const packed = Buffer.allocUnsafe(total);
    for (let i = 0, at = 0; i < count; at = ends[i++]!) {
      const message = messages[i]!;
      if (typeof message === "string") packed.write(message, at);
      else packed.set(message, at);
    }
    native.mqSendMany(this.fd, packed, 0, total, ends, count, p, ms);
  }

  /**
   * receiveSync for a batch, as recvmmsg(2) with MSG_WAITFORONE: waits for
   * the first message as receiveSync does (until `timeout`, with one), then
   * takes what is already in the queue without waiting, until it is empty
   * or `max` are taken (and at most mq_maxmsg, what the queue holds at
   * once). In the order the queue gives them, each with its priority. One
   * call into the addon for the batch (the N-API crossing per call is what
   * a loop of receiveSync pays beyond C), still one mq_receive per message,
   * as C. Only the first receive can fail; the messages share one buffer.
   */
  receiveManySync(max: number, options: { timeout?: number } = {}): ReceivedMessage[] {
    this.checkOpen("mq_receive");
    checkInteger("max", max, 1, 2 ** 31 - 1);
    const { timeout } = checkOptions(options, "{ timeout: 100 }");
    const ms = timeout === undefined ? -1 : checkTimeout(timeout);
    const most = Math.min(max, this.#maxmsg);
    const { ends, priorities } = batchArrays(most);
    // As #buffer(): a small batch receives into a fresh Buffer its messages
    // become views of; a large one into a scratch buffer, copied out once.
    const size = most * this.msgsize;
    const buffer =
      size <= SMALL
        ? Buffer.allocUnsafe(size)
        : this.#batchScratch && this.#batchScratch.length >= size
          ? this.#batchScratch
          : (this.#batchScratch = Buffer.allocUnsafe(size));
    const fd = this.fd;
    const count = native.mqReceiveMany(
      fd,
      buffer,
      0,
      size,
      this.msgsize,
      most,
      ends,
      priorities,
      ms,
    );
    const data =
      buffer === this.#batchScratch ? Buffer.from(buffer.subarray(0, ends[count - 1])) : buffer;
    const out: ReceivedMessage[] = [];
    for (let i = 0, start = 0; i < count; i++) {
      const end = ends[i]!;
      out.push({ data: data.subarray(start, end), priority: priorities[i]! });
      start = end;
    }
    return out;
  }

  /**
   * mq_notify(3): ask for `signal` (e.g. "SIGUSR2") when a message arrives
   * in the EMPTY queue and no receiver is waiting; "none" registers without
   * a signal (SIGEV_NONE); null removes the registration. One process per
   * queue (else EBUSY); one-shot: it must be registered again each time.
   */
  notify(signal: NodeJS.Signals | "none" | null): void {
    this.checkOpen("mq_notify");
    const signo = signal === null ? -1 : signal === "none" ? 0 : signalNumber(signal);
    native.mqNotify(this.fd, signo);
  }

  /** What the kernel shows for this queue in /dev/mqueue (needs it mounted). */
  status(): MessageQueueStatus {
    this.checkOpen("mq_getattr");
    return mqueueStatus(this.name);
  }

  override close(): void {
    this.#scratch = undefined;
    this.#batchScratch = undefined;
    super.close();
  }

  override [inspect.custom](): string {
    if (this.closed) return `MessageQueue { name: '${this.name}', closed }`;
    const a = this.attributes();
    return `MessageQueue { name: '${this.name}', fd ${this.fd}, ${a.curmsgs}/${a.maxmsg} messages of up to ${a.msgsize} bytes }`;
  }

  // A receive needs mq_msgsize bytes. Small queues receive straight into a
  // fresh Buffer (a slice of Node's pool) that becomes the message: no copy,
  // one allocation per message. Large ones share a scratch buffer and copy
  // out only what came, so a short message does not hold mq_msgsize bytes.
  #buffer(): Buffer {
    if (this.msgsize <= SMALL) return Buffer.allocUnsafe(this.msgsize);
    return (this.#scratch ??= Buffer.allocUnsafe(this.msgsize));
  }

  #message(buffer: Buffer, n: number): ReceivedMessage {
    const data =
      buffer === this.#scratch
        ? Buffer.from(buffer.subarray(0, n))
        : n === buffer.length
          ? buffer
          : buffer.subarray(0, n);
    return { data, priority: priorityOut[0]! };
  }
}

// Buffers below half of Buffer.poolSize are slices of Node's pool (cheap).
const SMALL = Buffer.poolSize >>> 1;

// Where each receive's call stores the message's priority, as C's `unsigned
// *msg_prio`: read at once, before any other receive (one JavaScript thread).
const priorityOut = new Uint32Array(1);

// Where a batch's message ends and priorities go (as priorityOut), grown as needed.
let batch = { ends: new Uint32Array(16), priorities: new Uint32Array(16) };

function batchArrays(n: number): typeof batch {
  if (batch.ends.length < n) {
    const length = Math.max(n, batch.ends.length * 2);
    batch = { ends: new Uint32Array(length), priorities: new Uint32Array(length) };
  }
  return batch;
}

function badMessage(index: number, message: unknown): never {
  throw invalidType(`messages[${index}] must be a string or a Uint8Array, got ${show(message)}`);
}

function checkTimeout(timeout: unknown): number {
  return checkInteger("timeout", timeout, 0, 2 ** 31 - 1);
}

function signalNumber(signal: unknown): number {
  const value =
    typeof signal === "string" ? (signals as Record<string, number>)[signal] : undefined;
  if (value === undefined) {
    throw invalidValue(
      `signal must be a signal name like "SIGUSR2", "none" or null, got ${show(signal)}`,
    );
  }
  return value;
}

const MQUEUE_DIR = "/dev/mqueue";

function needMount(): void {
  if (!existsSync(MQUEUE_DIR) || readdirSync(MQUEUE_DIR).length === 0) {
    // An empty directory may just be an empty mount: check it is one.
    const mounted = readFileSync("/proc/self/mounts", "utf8")
      .split("\n")
      .some((line) => line.split(" ")[2] === "mqueue" && line.split(" ")[1] === MQUEUE_DIR);
    if (!mounted) {
      throw systemError(
        "ENOENT",
        "open",
        { path: MQUEUE_DIR },
        "the mqueue file system is not mounted there; as root: mount -t mqueue none /dev/mqueue " +
          "(the queues exist anyway: mq_open needs no mount)",
      );
    }
  }
}

/** The names of the POSIX queues the kernel has (the files in /dev/mqueue), as "/name". */
export function listMessageQueues(): string[] {
  needMount();
  return readdirSync(MQUEUE_DIR)
    .sort()
    .map((file) => `/${file}`);
}

/** /dev/mqueue/NAME parsed: "QSIZE:5 NOTIFY:0 SIGNO:12 NOTIFY_PID:4242". */
export function mqueueStatus(name: string): MessageQueueStatus {
  checkPosixName(name);
  needMount();
  const file = `${MQUEUE_DIR}${name}`;
  // Read by another process: when the process registered with mq_notify
  // closes ANY descriptor of the queue's file (this read's own included),
  // the kernel drops its registration (mqueue_flush_file).
  const read = spawnSync("cat", [file], { encoding: "utf8" });
  if (read.status !== 0) throw systemError("ENOENT", "open", { path: file }, "no such queue");
  const text = read.stdout;
  const field = (key: string) => Number(new RegExp(`${key}:(\\d+)`).exec(text)?.[1] ?? 0);
  return {
    qsize: field("QSIZE"),
    notify: field("NOTIFY"),
    signo: field("SIGNO"),
    notifyPid: field("NOTIFY_PID"),
  };
}

/** The kernel's limits and defaults, /proc/sys/fs/mqueue/*. */
export interface MessageQueueLimits {
  /** Largest mq_maxmsg and mq_msgsize an unprivileged mq_open may ask for (past them: EINVAL). */
  msgMax: number;
  msgsizeMax: number;
  /** What a queue made without attributes gets. */
  msgDefault: number;
  msgsizeDefault: number;
  /** How many queues the whole system may have (past it: ENOSPC). */
  queuesMax: number;
}

export function mqueueLimits(): MessageQueueLimits {
  const read = (file: string) => Number(readFileSync(`/proc/sys/fs/mqueue/${file}`, "utf8").trim());
  return {
    msgMax: read("msg_max"),
    msgsizeMax: read("msgsize_max"),
    msgDefault: read("msg_default"),
    msgsizeDefault: read("msgsize_default"),
    queuesMax: read("queues_max"),
  };
}

// ---------------------------------------------------------------- System V

/** msgsnd/msgrcv: fail (EAGAIN, ENOMSG) instead of waiting. */
export const IPC_NOWAIT = C.IPC_NOWAIT;
export const MSG_NOERROR = C.MSG_NOERROR;
export const MSG_EXCEPT = C.MSG_EXCEPT;
export const MQ_PRIO_MAX = C.MQ_PRIO_MAX;

/** msgctl's command to change msg_qbytes (and owner, mode). */
export const IPC_SET = C.IPC_SET as number & { readonly command: "IPC_SET" };
const IPC_STAT = C.IPC_STAT as number & { readonly command: "IPC_STAT" };
const IPC_RMID = C.IPC_RMID as number & { readonly command: "IPC_RMID" };

/** A System V message: its type (mtype, > 0) and its bytes. */
export interface SysvMessage {
  type: number;
  data: Buffer;
}

/** struct msqid_ds, as msgctl(IPC_STAT) fills it. */
export interface MsqidDs {
  key: number;
  mode: number;
  permissions: string;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  /** Bytes in the queue now, messages in it now, and the most bytes it may hold. */
  cbytes: number;
  qnum: number;
  qbytes: number;
  /** The last sender's and receiver's pids (0: none yet). */
  lspid: number;
  lrpid: number;
  stime: Date | null;
  rtime: Date | null;
  ctime: Date;
}

function checkMsqid(msqid: unknown): number {
  return checkInteger("msqid", msqid, 0, 2 ** 31 - 1);
}

function checkFlags(what: string, flags: unknown, allowed: number): number {
  checkInteger("flags", flags, 0, 2 ** 31 - 1);
  if (((flags as number) & ~allowed) !== 0) {
    throw invalidValue(`${what}: unknown bits in flags 0o${(flags as number).toString(8)}`);
  }
  return flags as number;
}

/**
 * msgget(2): the id of the queue with this key, made if `flags` has
 * IPC_CREAT (EEXIST with IPC_EXCL too). The low 9 bits are the permissions.
 */
export function msgget(key: number, flags: number): number {
  checkInteger("key", key, -(2 ** 31), 2 ** 32 - 1);
  checkFlags("msgget", flags, C.IPC_CREAT | C.IPC_EXCL | 0o777);
  return native.msgget(key | 0, flags);
}

/**
 * msgsnd(2), awaitable: appends a message of type `type` (> 0, else
 * EINVAL). While the queue is full it waits on a thread of its own, or with
 * IPC_NOWAIT rejects with EAGAIN.
 */
export function msgsnd(
  msqid: number,
  type: number,
  data: ByteInput,
  flags = 0,
  options: WaitOptions = {},
): Promise<void> {
  checkMsqid(msqid);
  checkInteger("type", type, -(2 ** 31), 2 ** 31 - 1);
  const bytes = toBytes(data);
  checkFlags("msgsnd", flags, C.IPC_NOWAIT);
  checkWaitOptions(options);
  try {
    if (native.msgsndNowait(msqid, type, bytes, 0, bytes.length, 0)) return Promise.resolve();
  } catch (error) {
    return Promise.reject(error);
  }
  if (flags & C.IPC_NOWAIT) {
    return Promise.reject(systemError("EAGAIN", "msgsnd", { msqid }, "the queue is full"));
  }
  return blockingWait(
    "msgsnd",
    (callback) => native.msgsnd(msqid, type, bytes, 0, bytes.length, flags, callback),
    options,
    { msqid },
  );
}

/**
 * msgrcv(2), awaitable: takes a message of at most `maxsize` bytes (a longer
 * one: E2BIG, or cut with MSG_NOERROR). `type` 0 takes the first message; > 0
 * the first of that type (with MSG_EXCEPT: of any other type); < 0 the first
 * of the lowest type <= |type|. Waits while none matches, or with IPC_NOWAIT
 * rejects with ENOMSG.
 */
export function msgrcv(
  msqid: number,
  maxsize: number,
  type = 0,
  flags = 0,
  options: WaitOptions = {},
): Promise<SysvMessage> {
  checkMsqid(msqid);
  checkInteger("maxsize", maxsize, 0, 2 ** 31 - 1);
  checkInteger("type", type, -(2 ** 31), 2 ** 31 - 1);
  checkFlags("msgrcv", flags, C.IPC_NOWAIT | C.MSG_NOERROR | C.MSG_EXCEPT);
  checkWaitOptions(options);
  try {
    const got = receiveMessage(native.msgrcvNowait, msqid, maxsize, type, flags);
    if (got) return Promise.resolve(got);
  } catch (error) {
    return Promise.reject(error);
  }
  if (flags & C.IPC_NOWAIT) {
    return Promise.reject(
      systemError("ENOMSG", "msgrcv", { msqid }, `no message of type ${type} in the queue`),
    );
  }
  return blockingWait(
    "msgrcv",
    (callback) => native.msgrcv(msqid, maxsize, type, flags, callback),
    options,
    { msqid },
  );
}

/**
 * The plain msgsnd(2), for programs that are not an event loop (a
 * benchmark, a worker, a C-like server; never a notebook cell): it blocks
 * this whole process while the queue is full, or with IPC_NOWAIT throws
 * EAGAIN. Use msgsnd() everywhere else.
 */
export function msgsndSync(msqid: number, type: number, data: ByteInput, flags = 0): void {
  checkMsqid(msqid);
  checkInteger("type", type, -(2 ** 31), 2 ** 31 - 1);
  const bytes = toBytes(data);
  checkFlags("msgsnd", flags, C.IPC_NOWAIT);
  native.msgsndSync(msqid, type, bytes, 0, bytes.length, flags);
}

/**
 * The plain msgrcv(2), as msgrcv() takes its arguments, for programs that
 * are not an event loop (see msgsndSync): it blocks this whole process
 * while no message matches, or with IPC_NOWAIT throws ENOMSG.
 */
export function msgrcvSync(msqid: number, maxsize: number, type = 0, flags = 0): SysvMessage {
  checkMsqid(msqid);
  checkInteger("maxsize", maxsize, 0, 2 ** 31 - 1);
  checkInteger("type", type, -(2 ** 31), 2 ** 31 - 1);
  checkFlags("msgrcv", flags, C.IPC_NOWAIT | C.MSG_NOERROR | C.MSG_EXCEPT);
  return receiveMessage(native.msgrcvSync, msqid, maxsize, type, flags)!;
}

// msgrcv writes the message's type (a long) and then its text. A small one
// goes straight into a fresh Buffer (a slice of Node's pool) whose text
// becomes the message: one allocation, no copy. A large one goes into a
// shared scratch buffer, and only what came is copied out, so a short
// message does not hold maxsize bytes.
const LONG = 8; // sizeof(long) on the 64-bit Linux the addon builds for
let scratch: Buffer | undefined;

function receiveMessage(
  call: typeof native.msgrcvSync,
  msqid: number,
  maxsize: number,
  type: number,
  flags: number,
): SysvMessage | undefined {
  const size = LONG + maxsize;
  const buffer =
    size <= SMALL
      ? Buffer.allocUnsafe(size)
      : scratch && scratch.length >= size
        ? scratch
        : (scratch = Buffer.allocUnsafe(size));
  const n = call(msqid, buffer, 0, size, type, flags);
  if (n < 0) return undefined;
  const text = buffer.subarray(LONG, LONG + n);
  return { type: mtypeOf(buffer), data: buffer === scratch ? Buffer.from(text) : text };
}

/** The long at the start of a received message, in this machine's byte order. */
function mtypeOf(buffer: Buffer): number {
  return LITTLE_ENDIAN
    ? buffer.readUInt32LE(0) + buffer.readInt32LE(4) * 2 ** 32
    : buffer.readInt32BE(0) * 2 ** 32 + buffer.readUInt32BE(4);
}
const LITTLE_ENDIAN = endianness() === "LE";

function toMsqidDs(raw: NativeMsqidDs): MsqidDs {
  const date = (seconds: number) => (seconds === 0 ? null : new Date(seconds * 1000));
  return {
    ...raw,
    mode: raw.mode & 0o777,
    permissions: formatPermissions(raw.mode & 0o777),
    stime: date(raw.stime),
    rtime: date(raw.rtime),
    ctime: new Date(raw.ctime * 1000),
  };
}

/** msgctl(2): IPC_STAT reads the queue's state; IPC_RMID removes it at once (waiters get EIDRM); IPC_SET changes msg_qbytes. */
export function msgctl(msqid: number, command: typeof IPC_STAT): MsqidDs;
export function msgctl(msqid: number, command: typeof IPC_RMID): void;
export function msgctl(msqid: number, command: typeof IPC_SET, change: { qbytes: number }): void;
export function msgctl(
  msqid: number,
  command: number,
  change?: { qbytes: number },
): MsqidDs | void {
  checkMsqid(msqid);
  if (command === C.IPC_STAT) return toMsqidDs(native.msgctlStat(msqid));
  if (command === C.IPC_RMID) return native.msgctlRemove(msqid);
  if (command === C.IPC_SET) {
    const { qbytes } = checkOptions(change, "{ qbytes: 1024 }");
    return native.msgctlSetQbytes(msqid, checkInteger("qbytes", qbytes, 0, 2 ** 53 - 1));
  }
  throw invalidValue(`msgctl: command must be IPC_STAT, IPC_RMID or IPC_SET, got ${show(command)}`);
}

/** One line of /proc/sysvipc/msg (what `ipcs -q` prints). */
export interface SysvQueueEntry {
  key: number;
  msqid: number;
  perms: number;
  cbytes: number;
  qnum: number;
  lspid: number;
  lrpid: number;
  uid: number;
}

/** Every System V message queue on the system, from /proc/sysvipc/msg. */
export function sysvMessageQueues(): SysvQueueEntry[] {
  const lines = readFileSync("/proc/sysvipc/msg", "utf8").trim().split("\n");
  const header = lines[0]!.trim().split(/\s+/);
  return lines.slice(1).map((line) => {
    const cells = line.trim().split(/\s+/);
    const at = (name: string) => Number(cells[header.indexOf(name)]);
    return {
      key: at("key"),
      msqid: at("msqid"),
      perms: parseInt(cells[header.indexOf("perms")] ?? "0", 8) & 0o777,
      cbytes: at("cbytes"),
      qnum: at("qnum"),
      lspid: at("lspid"),
      lrpid: at("lrpid"),
      uid: at("uid"),
    };
  });
}
