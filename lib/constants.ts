/**
 * The kernel's values, one convention: read from the C headers by the addon
 * (native/src/constants.cc), typed once here, and passed to the calls
 * unchanged (`pipe({ nonblock: true })` hands pipe2 the real O_NONBLOCK).
 */
import { native } from "./native";

const C = native.constants;

export const O_RDONLY = C.O_RDONLY;
export const O_WRONLY = C.O_WRONLY;
export const O_RDWR = C.O_RDWR;
export const O_CREAT = C.O_CREAT;
export const O_EXCL = C.O_EXCL;
export const O_TRUNC = C.O_TRUNC;
export const O_NONBLOCK = C.O_NONBLOCK;
export const O_CLOEXEC = C.O_CLOEXEC;

/** mmap's `prot`: the pages may be read / written. */
export const PROT_NONE = C.PROT_NONE;
export const PROT_READ = C.PROT_READ;
export const PROT_WRITE = C.PROT_WRITE;
/** mmap's `flags`: stores reach the object and every other process (MAP_SHARED), or stay private. */
export const MAP_SHARED = C.MAP_SHARED;
export const MAP_PRIVATE = C.MAP_PRIVATE;

/** System V IPC: the key that always makes a new object, and the flags of *get/*ctl. */
export const IPC_PRIVATE = C.IPC_PRIVATE;
export const IPC_CREAT = C.IPC_CREAT;
export const IPC_EXCL = C.IPC_EXCL;
export const IPC_NOWAIT = C.IPC_NOWAIT;
export const IPC_RMID = C.IPC_RMID;
export const IPC_STAT = C.IPC_STAT;
export const SHM_RDONLY = C.SHM_RDONLY;
/** shm_perm.mode bit: the segment is marked for removal (IPC_RMID while attached). */
export const SHM_DEST = C.SHM_DEST;

export const WNOHANG = C.WNOHANG;
export const WUNTRACED = C.WUNTRACED;
export const WCONTINUED = C.WCONTINUED;

/** libuv's poll events (lib/poll.ts). */
export const UV_READABLE = C.UV_READABLE;
export const UV_WRITABLE = C.UV_WRITABLE;

/** stat(2)'s st_mode: the file-type bits, and the type of a FIFO. */
export const S_IFMT = C.S_IFMT;
export const S_IFIFO = C.S_IFIFO;

/** The longest file name (POSIX object names too), in bytes. */
export const NAME_MAX = C.NAME_MAX;
/** Writes to a pipe of at most this many bytes are atomic: never interleaved with others. */
export const PIPE_BUF = C.PIPE_BUF;
export const SEM_VALUE_MAX = C.SEM_VALUE_MAX;
/** sysconf(_SC_PAGESIZE). */
export const PAGE_SIZE = C.PAGE_SIZE;

/** The errno values the library itself reports (timeouts, interrupts, its own checks). */
export const errno = C.errno;
export type ErrnoCode = keyof typeof C.errno;
