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
  { fd: number } | { pid: number } | { key: number } | { shmid: number } | { path: string };

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
  IPC_PRIVATE: number;
  IPC_CREAT: number;
  IPC_EXCL: number;
  IPC_NOWAIT: number;
  IPC_RMID: number;
  IPC_STAT: number;
  SHM_RDONLY: number;
  SHM_DEST: number;
  WNOHANG: number;
  WUNTRACED: number;
  WCONTINUED: number;
  UV_READABLE: number;
  UV_WRITABLE: number;
  UV_DISCONNECT: number;
  S_IFMT: number;
  S_IFIFO: number;
  NAME_MAX: number;
  PIPE_BUF: number;
  SEM_VALUE_MAX: number;
  PAGE_SIZE: number;
  errno: Record<
    | "EACCES"
    | "EAGAIN"
    | "EBADF"
    | "EBUSY"
    | "ECANCELED"
    | "EEXIST"
    | "EINTR"
    | "EINVAL"
    | "ENOENT"
    | "ENOSPC"
    | "EPERM"
    | "EPIPE"
    | "ETIMEDOUT",
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
  dup(fd: number): number;
  dup2(oldfd: number, newfd: number): number;
  fdFlags(fd: number): { mode: "r" | "w" | "rw"; nonblock: boolean; cloexec: boolean };
  setNonblocking(fd: number, on: boolean): void;
  setCloexec(fd: number, on: boolean): void;
  // poll.cc
  pollStart(fd: number, events: number, callback: (errno: number, events: number) => void): void;
  pollStop(fd: number): void;
  pollHandles(): number;
  // blocking.cc
  cancelWait(id: number): void;
  pendingBlocking(): number;
  // memory.cc (mappings: mapping.cc)
  ftruncate(fd: number, length: number): void;
  fallocate(fd: number, offset: number, length: number): void;
  fstat(fd: number): NativeStat;
  mmap(length: number, prot: number, flags: number, fd: number, offset: number): NativeMapping;
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
  semWait(handle: unknown, callback: BlockingCallback): number;
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
