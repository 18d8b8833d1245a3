/**
 * The one loader of the compiled addon (native/build/Release/ipc_lab.node),
 * with the type of everything it exports. Other modules import `native` from
 * here and wrap it in checked, documented functions.
 */
import * as path from "node:path";
import { SystemError } from "./errors";

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

export interface NativeAddon {
  setErrorClass(cls: new (message: string) => Error): void;
  errnoError(errno: number, syscall: string, path?: string): SystemError;
  // poll.cc
  pollStart(fd: number, events: number, callback: (errno: number, events: number) => void): void;
  pollStop(fd: number): void;
  // process.cc
  getpid(): number;
  getppid(): number;
  fork(
    routine: string,
    args: string[],
    fdMap: number[],
    closeFds: number[],
    closeOthers: boolean,
  ): number;
  listRoutines(): { name: string; summary: string }[];
  waitpid(pid: number, flags: number): WaitStatus | null;
  pidfdOpen(pid: number): number;
  kill(pid: number, signal: number): void;
  setChildSubreaper(on: boolean): void;
  getDemoValue(): number;
  setDemoValue(value: number): void;
  // pipe.cc
  pipe(flags: number): [number, number];
  close(fd: number): void;
  read(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  write(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  readNowait(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  writeNowait(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  dup(fd: number): number;
  dup2(oldfd: number, newfd: number): number;
  getFlags(fd: number): { mode: "r" | "w" | "rw"; nonblock: boolean; cloexec: boolean };
  setNonblock(fd: number, on: boolean): void;
  setCloexec(fd: number, on: boolean): void;
  getPipeSize(fd: number): number;
  setPipeSize(fd: number, size: number): number;
  spawn(
    path: string,
    argv: string[],
    envp: string[],
    fdMap: number[],
    closeFds: number[],
    closeOthers: boolean,
    cwd?: string,
  ): number;
  // shm.cc, sysv_shm.cc (mappings: mapping.cc)
  shmOpen(name: string, flags: number, mode: number): number;
  shmUnlink(name: string): void;
  ftruncate(fd: number, length: number): void;
  fallocate(fd: number, offset: number, length: number): void;
  fstat(fd: number): NativeStat;
  mmap(length: number, prot: number, flags: number, fd: number, offset: number): NativeMapping;
  munmap(handle: unknown, buffer: ArrayBuffer): void;
  shmConstants: Record<
    | "PROT_NONE"
    | "PROT_READ"
    | "PROT_WRITE"
    | "MAP_SHARED"
    | "MAP_PRIVATE"
    | "O_RDONLY"
    | "O_RDWR"
    | "O_CREAT"
    | "O_EXCL"
    | "O_TRUNC"
    | "NAME_MAX"
    | "PAGE_SIZE",
    number
  >;
  ftok(path: string, projId: number): number;
  shmget(key: number, size: number, flags: number): number;
  shmat(shmid: number, flags: number): NativeMapping;
  shmdt(handle: unknown, buffer: ArrayBuffer): void;
  shmctlStat(shmid: number): NativeShmidDs;
  shmctlRemove(shmid: number): void;
  sysvConstants: Record<
    "IPC_PRIVATE" | "IPC_CREAT" | "IPC_EXCL" | "IPC_RMID" | "IPC_STAT" | "SHM_RDONLY" | "SHM_DEST",
    number
  >;
  // trace.cc
  setPtracer(pid: number): void;
}

/** A fresh mapping from the addon: an external ArrayBuffer over the pages, and their owner. */
export interface NativeMapping {
  buffer: ArrayBuffer;
  handle: unknown;
  address: string;
}

/** fstat(2)'s fields that matter for shared memory. */
export interface NativeStat {
  size: number;
  mode: number;
  uid: number;
  gid: number;
  ino: number;
  nlink: number;
  blocks: number;
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
