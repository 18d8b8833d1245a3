/**
 * The one loader of the compiled addon (native/build/Release/ipc_lab.node),
 * with the type of everything it exports, grouped by the native file that
 * defines it. Other modules import `native` from here and wrap it in checked,
 * documented functions. test/native.test.ts checks this interface against
 * the binary: every name, and each function's arity.
 */
import * as path from "node:path";
import { SystemError } from "./system-error";

/** waitpid's decoded status. */
export interface WaitStatus {
  pid: number;
  /** The raw status word, as C's waitpid() stores it. */
  raw: number;
  kind: "exited" | "killed" | "stopped" | "continued";
  /** Exit code, when kind is "exited". */
  code?: number;
  /** "SIGSEGV" and its number, when kind is "killed" or "stopped". */
  signal?: string;
  signalNumber?: number;
  coreDumped?: boolean;
}

/** What a failed call was about, as errnoError takes it. */
export type Subject =
  | { fd: number }
  | { pid: number }
  | { key: number }
  | { shmid: number }
  | { semid: number }
  | { msqid: number }
  | { path: string };

/** A fresh mapping from the addon: an external ArrayBuffer over the pages, and their owner. */
export interface NativeMapping {
  buffer: ArrayBuffer;
  handle: unknown;
  address: string;
}

/** fstat(2)'s fields that matter here. */
export interface NativeStat {
  size: number;
  mode: number;
  uid: number;
  gid: number;
  ino: number;
  nlink: number;
  blocks: number;
}

/** semctl(IPC_STAT)'s struct semid_ds, flattened; times in seconds since the epoch. */
export interface NativeSemidDs {
  key: number;
  mode: number;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  nsems: number;
  otime: number;
  ctime: number;
}

/** stat(2) of a path: fstat's fields, the whole st_mode, and the file's type. */
export interface NativePathStat extends NativeStat {
  type:
    | "fifo"
    | "file"
    | "directory"
    | "character device"
    | "block device"
    | "socket"
    | "symlink"
    | "unknown";
}

/** shmctl(IPC_STAT)'s struct shmid_ds, flattened; times in seconds since the epoch. */
export interface NativeShmidDs {
  key: number;
  size: number;
  nattch: number;
  mode: number;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  cpid: number;
  lpid: number;
  atime: number;
  dtime: number;
  ctime: number;
}

/** The kernel's values, read from the C headers by constants.cc. */
export interface NativeConstants {
  O_RDONLY: number;
  O_WRONLY: number;
  O_RDWR: number;
  O_CREAT: number;
  O_EXCL: number;
  O_TRUNC: number;
  O_NONBLOCK: number;
  O_CLOEXEC: number;
  PROT_NONE: number;
  PROT_READ: number;
  PROT_WRITE: number;
  MAP_SHARED: number;
  MAP_PRIVATE: number;
  MAP_ANONYMOUS: number;
  MS_SYNC: number;
  MS_ASYNC: number;
  MS_INVALIDATE: number;
  MADV_NORMAL: number;
  MADV_SEQUENTIAL: number;
  MADV_RANDOM: number;
  MADV_WILLNEED: number;
  MADV_DONTNEED: number;
  POSIX_FADV_DONTNEED: number;
  IPC_PRIVATE: number;
  IPC_CREAT: number;
  IPC_EXCL: number;
  IPC_NOWAIT: number;
  IPC_RMID: number;
  IPC_STAT: number;
  IPC_SET: number;
  SHM_RDONLY: number;
  SHM_DEST: number;
  SEM_UNDO: number;
  GETVAL: number;
  SETVAL: number;
  GETALL: number;
  SETALL: number;
  GETPID: number;
  GETNCNT: number;
  GETZCNT: number;
  MSG_NOERROR: number;
  MSG_EXCEPT: number;
  MQ_PRIO_MAX: number;
  WNOHANG: number;
  WUNTRACED: number;
  WCONTINUED: number;
  UV_READABLE: number;
  UV_WRITABLE: number;
  UV_DISCONNECT: number;
  POLLIN: number;
  POLLOUT: number;
  AF_INET: number;
  AF_INET6: number;
  AF_UNIX: number;
  SOCK_STREAM: number;
  SOCK_DGRAM: number;
  SOCK_SEQPACKET: number;
  SOCK_NONBLOCK: number;
  SOL_SOCKET: number;
  SO_REUSEADDR: number;
  SO_REUSEPORT: number;
  SO_BROADCAST: number;
  SO_KEEPALIVE: number;
  SO_RCVBUF: number;
  SO_SNDBUF: number;
  SO_ERROR: number;
  SO_TYPE: number;
  SO_ACCEPTCONN: number;
  IPPROTO_TCP: number;
  IPPROTO_UDP: number;
  IPPROTO_IP: number;
  TCP_NODELAY: number;
  IP_MULTICAST_LOOP: number;
  IP_MULTICAST_TTL: number;
  SHUT_RD: number;
  SHUT_WR: number;
  SHUT_RDWR: number;
  SOMAXCONN: number;
  S_IFMT: number;
  S_IFIFO: number;
  NAME_MAX: number;
  PIPE_BUF: number;
  SEM_VALUE_MAX: number;
  SIZEOF_SEM_T: number;
  ALIGNOF_SEM_T: number;
  PAGE_SIZE: number;
  SIGRTMIN: number;
  SIGRTMAX: number;
  NSIG: number;
  SI_USER: number;
  SI_QUEUE: number;
  SI_TKILL: number;
  SI_KERNEL: number;
  SI_TIMER: number;
  SI_MESGQ: number;
  CLD_EXITED: number;
  CLD_KILLED: number;
  CLD_DUMPED: number;
  CLD_STOPPED: number;
  CLD_CONTINUED: number;
  errno: Record<
    | "EACCES"
    | "EAGAIN"
    | "EBADF"
    | "EBUSY"
    | "ECANCELED"
    | "EEXIST"
    | "EINTR"
    | "EINVAL"
    | "EISDIR"
    | "ENOENT"
    | "ENOMSG"
    | "ENOSPC"
    | "EPERM"
    | "EPIPE"
    | "ESRCH"
    | "ETIMEDOUT"
    | "EADDRINUSE"
    | "EADDRNOTAVAIL"
    | "ECONNREFUSED"
    | "ECONNRESET"
    | "EMFILE"
    | "EMSGSIZE"
    | "ENOTCONN"
    | "ENOTSOCK",
    number
  >;
}

/** A wait on a thread of its own (blocking.cc): called once, on the main thread. */
export type BlockingCallback<T = undefined> = (error: SystemError | null, result: T) => void;

export interface NativeAddon {
  /** Each function's arity, recorded by Export() in modules.h. */
  arity: Record<string, number>;
  constants: NativeConstants;
  // errors.cc
  setErrorClass(cls: new (message: string) => Error): void;
  errnoError(
    errno: number,
    syscall: string,
    subject?: Subject,
    detail?: string,
    reason?: string,
  ): SystemError;
  // fd.cc
  close(fd: number): void;
  read(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  write(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  readNowait(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  writeNowait(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  readNonblock(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  writeNonblock(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  dup(fd: number): number;
  dup2(oldfd: number, newfd: number): number;
  fdFlags(fd: number): { mode: "r" | "w" | "rw"; nonblock: boolean; cloexec: boolean };
  setNonblocking(fd: number, on: boolean): void;
  setCloexec(fd: number, on: boolean): void;
  // poll.cc
  pollStart(fd: number, events: number, callback: (errno: number, events: number) => void): void;
  pollStop(fd: number): void;
  pollHandles(): number;
  poll(fd: number, events: number, timeout: number): number;
  /** poll(2) on `count` (fd, events, revents) triples of `set` (revents written there): how many are ready. */
  pollMany(set: Int32Array, count: number, timeout: number): number;
  // blocking.cc
  cancelWait(id: number): void;
  pendingBlocking(): number;
  blockingPool(): { threads: number; idle: number; started: number; stale: number };
  releaseBlockingThreads(): number;
  // memory.cc (mappings: mapping.cc)
  ftruncate(fd: number, length: number): void;
  fallocate(fd: number, offset: number, length: number): void;
  fstat(fd: number): NativeStat;
  mmap(length: number, prot: number, flags: number, fd: number, offset: number): NativeMapping;
  mmapAnonymous(length: number, prot: number, flags: number): NativeMapping;
  munmap(handle: unknown, buffer: ArrayBuffer): void;
  // process.cc (child routines: routines.cc and each chapter's *_routines.cc)
  getpid(): number;
  getppid(): number;
  fork(
    routine: string,
    args: string[],
    fdMap: number[],
    closeFds: number[],
    closeOthers: boolean,
  ): number;
  spawn(
    path: string,
    argv: string[],
    envp: string[],
    fdMap: number[],
    closeFds: number[],
    closeOthers: boolean,
    cwd: string | undefined,
  ): number;
  listRoutines(): { name: string; summary: string; chapter: string }[];
  waitpid(pid: number, options: number): WaitStatus | null;
  pidfdOpen(pid: number): number;
  kill(pid: number, signal: number): void;
  setChildSubreaper(on: boolean): void;
  schedYield(): void;
  getDemoValue(): number;
  setDemoValue(value: number): void;
  // pipe.cc
  pipe(flags: number): [number, number];
  pipeSize(fd: number): number;
  setPipeSize(fd: number, size: number): number;
  // fifo.cc
  mkfifo(path: string, mode: number): void;
  unlink(path: string): void;
  umask(mask: number): number;
  stat(path: string): NativePathStat;
  fifoOpen(path: string, flags: number): number;
  fifoOpenWait(path: string, flags: number, callback: BlockingCallback<number>): number;
  /** openFifoSync's checks and open on this thread, giving up after `ms` (-1 then; ms < 0: no limit). */
  fifoOpenTimed(path: string, flags: number, ms: number): number;
  // shm.cc
  shmOpen(name: string, flags: number, mode: number): number;
  shmUnlink(name: string): void;
  // sysv_shm.cc
  ftok(path: string, projId: number): number;
  shmget(key: number, size: number, flags: number): number;
  shmat(shmid: number, flags: number): NativeMapping;
  shmdt(handle: unknown, buffer: ArrayBuffer): void;
  shmctlStat(shmid: number): NativeShmidDs;
  shmctlRemove(shmid: number): void;
  // sem.cc
  semOpen(name: string, flags: number, mode: number, value: number): unknown;
  semClose(handle: unknown): void;
  semUnlink(name: string): void;
  semPost(handle: unknown): void;
  semTrywait(handle: unknown): boolean;
  semGetvalue(handle: unknown): number;
  /** sem_trywait until it takes one (true) or `us` µs pass (false), sched_yield between tries. */
  semTrywaitYielding(handle: unknown, us: number): boolean;
  semWait(handle: unknown, callback: BlockingCallback): number;
  /** sem_wait on the calling thread (blocks it; EINTR retried). */
  semWaitSync(handle: unknown): void;
  /** sem_timedwait on the calling thread, `ms` from now (ETIMEDOUT). */
  semTimedwaitSync(handle: unknown, ms: number): void;
  // mqueue.cc
  mqOpen(
    name: string,
    flags: number,
    mode: number,
    withAttr: boolean,
    maxmsg: number,
    msgsize: number,
  ): number;
  mqUnlink(name: string): void;
  mqGetattr(fd: number): NativeMqAttr;
  mqSetattr(fd: number, flags: number): NativeMqAttr;
  mqSend(fd: number, buffer: Uint8Array, offset: number, length: number, priority: number): true;
  mqSendNowait(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    priority: number,
  ): boolean;
  mqTimedsend(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    priority: number,
    ms: number,
  ): true;
  /** mq_receive(3) into buffer: the byte count, the message's priority in priority[0]. */
  mqReceive(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    priority: Uint32Array,
  ): number;
  /** As mqReceive, or -1 when the queue is empty. */
  mqReceiveNowait(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    priority: Uint32Array,
  ): number;
  mqTimedreceive(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    priority: Uint32Array,
    ms: number,
  ): number;
  /**
   * One mq_send (ms < 0) or mq_timedsend (one deadline, ms from now) per
   * message, message i being [ends[i - 1], ends[i]) of the range; returns
   * count. A failure throws with `sent`: how many went before it.
   */
  mqSendMany(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    ends: Uint32Array,
    count: number,
    priority: number,
    ms: number,
  ): number;
  /**
   * A receive that waits (ms < 0: mq_receive; else mq_timedreceive, ms from
   * now), then up to max - 1 more of what is already there, packed in the
   * range (room for msgsize bytes each): the count (>= 1), message i ending
   * at ends[i], its priority in priorities[i].
   */
  mqReceiveMany(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    msgsize: number,
    max: number,
    ends: Uint32Array,
    priorities: Uint32Array,
    ms: number,
  ): number;
  mqNotify(fd: number, signo: number): void;
  msgget(key: number, flags: number): number;
  msgsnd(
    msqid: number,
    type: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    flags: number,
    callback: BlockingCallback,
  ): number;
  msgsndNowait(
    msqid: number,
    type: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    flags: number,
  ): boolean;
  /** The plain msgsnd(2): blocks while the queue is full (unless IPC_NOWAIT: EAGAIN). */
  msgsndSync(
    msqid: number,
    type: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    flags: number,
  ): true;
  msgrcv(
    msqid: number,
    maxsize: number,
    type: number,
    flags: number,
    callback: BlockingCallback<NativeMessage>,
  ): number;
  /** Into buffer[offset, offset + length): the type (a long), then the text; its length, or -1 if none matches. */
  msgrcvNowait(
    msqid: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    type: number,
    flags: number,
  ): number;
  /** The plain msgrcv(2), into the buffer as msgrcvNowait: blocks while no message matches (unless IPC_NOWAIT: ENOMSG). */
  msgrcvSync(
    msqid: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    type: number,
    flags: number,
  ): number;
  msgctlStat(msqid: number): NativeMsqidDs;
  msgctlSetQbytes(msqid: number, qbytes: number): void;
  msgctlRemove(msqid: number): void;
  // mapped_file.cc (child routines: mapped_file_routines.cc)
  open(path: string, flags: number, mode: number): number;
  msync(handle: unknown, offset: number, length: number, flags: number): void;
  madvise(handle: unknown, offset: number, length: number, advice: number): void;
  mincore(handle: unknown): Buffer;
  posixFadvise(fd: number, offset: number, length: number, advice: number): void;
  getrusage(): { minflt: number; majflt: number; maxrss: number };
  semTimedwait(handle: unknown, ms: number, callback: BlockingCallback): number;
  semInit(
    fd: number,
    offset: number,
    pshared: boolean,
    value: number,
    init: boolean,
    label: string,
  ): unknown;
  semDestroy(handle: unknown): void;
  // sysv_sem.cc
  semget(key: number, nsems: number, flags: number): number;
  semopNow(semid: number, ops: number[]): void;
  semop(semid: number, ops: number[], ms: number, callback: BlockingCallback): number;
  semctlGet(semid: number, semnum: number, cmd: number): number;
  semctlSetval(semid: number, semnum: number, value: number): void;
  semctlGetall(semid: number): number[];
  semctlSetall(semid: number, values: number[]): void;
  semctlStat(semid: number): NativeSemidDs;
  semctlRemove(semid: number): void;
  // signal.cc
  sigqueue(pid: number, signal: number, value: number): void;
  signalfdOpen(signals: number[]): number;
  /**
   * Records of 7 int32s (signo, code, pid, uid, value, status, errno) into
   * `records`: how many int32s (0: none pending), or a fresh array if they do not fit.
   */
  signalfdRead(fd: number, records: Int32Array): number | Int32Array;
  /** sigwaitinfo (ms < 0) or sigtimedwait for SignalFd `fd`'s signals, on this thread: as signalfdRead. */
  sigtimedwait(fd: number, ms: number, records: Int32Array): number | Int32Array;
  signalRestore(signals: number[]): number;
  sigprocmaskGet(): number[];
  sigpending(): number[];
  signalDisposition(signal: number): "default" | "ignore" | "ipc-lab" | "handler";
  /** For tests: a thread that does not block `signal` for `ms` ms. */
  signalStrayThread(signal: number, ms: number): void;
  // socket.cc
  socket(domain: number, type: number, protocol: number): number;
  socketpair(domain: number, type: number, protocol: number): [number, number];
  bind(fd: number, address: NativeSocketAddressInput): void;
  listen(fd: number, backlog: number): void;
  accept(fd: number): NativeAccepted;
  acceptNowait(fd: number): NativeAccepted | null;
  connect(fd: number, address: NativeSocketAddressInput): void;
  connectStart(
    fd: number,
    address: NativeSocketAddressInput,
  ): "connected" | "in progress" | "again";
  connectFinish(fd: number, address: NativeSocketAddressInput): boolean;
  shutdown(fd: number, how: number): void;
  getsockname(fd: number): NativeSocketAddress;
  getpeername(fd: number): NativeSocketAddress;
  setsockoptInt(fd: number, level: number, name: number, value: number): void;
  getsockoptInt(fd: number, level: number, name: number): number;
  setLinger(fd: number, on: boolean, seconds: number): void;
  setMembership(fd: number, group: string, join: boolean): void;
  sendtoNowait(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    address: NativeSocketAddressInput,
  ): number;
  recvNowait(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  sendNowait(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  recvfromNowait(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
  ): { bytes: number; truncated: boolean; address: NativeSocketAddress } | null;
  sendFdsNowait(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    fds: number[],
  ): number;
  recvFdsNowait(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
  ): { bytes: number; fds: number[]; truncated: boolean } | null;
  getaddrinfo(host: string, family: number): string[];
  // trace.cc
  setPtracer(pid: number): void;
}

/** A socket address as the addon takes it (socket.cc): a numeric host and a port, a path, an abstract name. */
export type NativeSocketAddressInput =
  { host: string; port: number } | { path: string } | { abstract: string };

/** A socket address as the kernel reports it (getsockname, getpeername, accept, recvfrom). */
export type NativeSocketAddress =
  | { family: "IPv4" | "IPv6"; host: string; port: number }
  | { family: "unix"; path: string }
  | { family: "unix"; abstract: string }
  | { family: "unknown" };

/** accept's result: the new connection's descriptor and the peer's address (socket.cc). */
export interface NativeAccepted {
  fd: number;
  address: NativeSocketAddress;
}

/** struct mq_attr (mqueue.cc). */
export interface NativeMqAttr {
  flags: number;
  maxmsg: number;
  msgsize: number;
  curmsgs: number;
}

/** A System V message: its mtype and its bytes (mqueue.cc). */
export interface NativeMessage {
  type: number;
  data: Buffer;
}

/** msgctl(IPC_STAT)'s struct msqid_ds, flattened; times in seconds since the epoch. */
export interface NativeMsqidDs {
  key: number;
  mode: number;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  cbytes: number;
  qnum: number;
  qbytes: number;
  lspid: number;
  lrpid: number;
  stime: number;
  rtime: number;
  ctime: number;
}

/** Where the build puts the addon, from lib/ or lib/dist/. */
const root = path.resolve(__dirname, path.basename(__dirname) === "dist" ? "../.." : "..");
export const addonPath = path.join(root, "native", "build", "Release", "ipc_lab.node");
/** Where the small C programs of the chapters are built (native/c). */
export const binDir = path.join(root, "native", "build", "bin");

function load(): NativeAddon {
  let addon: NativeAddon;
  try {
    addon = require(addonPath) as NativeAddon;
  } catch (error) {
    // Anything but a missing file is a real fault (wrong ABI, missing symbol): rethrow it.
    if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
    throw new Error(
      `ipc-lab: the native addon is not built (${addonPath} is missing).\n` +
        `Build it with:  npm install   (or: npm run build)`,
    );
  }
  addon.setErrorClass(SystemError);
  return addon;
}

export const native: NativeAddon = load();
