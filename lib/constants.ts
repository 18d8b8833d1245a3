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
/** mmap's `flags`: memory backed by no file (fd -1), zero-filled; shared with forked children if MAP_SHARED. */
export const MAP_ANONYMOUS = C.MAP_ANONYMOUS;
/** msync's `flags`: wait until the pages are on disk (MS_SYNC), or only schedule it (MS_ASYNC). */
export const MS_SYNC = C.MS_SYNC;
export const MS_ASYNC = C.MS_ASYNC;
export const MS_INVALIDATE = C.MS_INVALIDATE;
/** madvise's `advice`: how the pages will be used, so the kernel reads ahead (or not). */
export const MADV_NORMAL = C.MADV_NORMAL;
export const MADV_SEQUENTIAL = C.MADV_SEQUENTIAL;
export const MADV_RANDOM = C.MADV_RANDOM;
export const MADV_WILLNEED = C.MADV_WILLNEED;
export const MADV_DONTNEED = C.MADV_DONTNEED;
/** posix_fadvise's `advice`: drop the file's clean pages from the page cache. */
export const POSIX_FADV_DONTNEED = C.POSIX_FADV_DONTNEED;

/** System V IPC: the key that always makes a new object, and the flags of *get/*ctl. */
export const IPC_PRIVATE = C.IPC_PRIVATE;
export const IPC_CREAT = C.IPC_CREAT;
export const IPC_EXCL = C.IPC_EXCL;
export const IPC_NOWAIT = C.IPC_NOWAIT;
export const IPC_RMID = C.IPC_RMID;
export const IPC_STAT = C.IPC_STAT;
export const IPC_SET = C.IPC_SET;
export const SHM_RDONLY = C.SHM_RDONLY;
/** shm_perm.mode bit: the segment is marked for removal (IPC_RMID while attached). */
export const SHM_DEST = C.SHM_DEST;
/** semop's flag: the kernel undoes this operation if the process dies (or exits) without. */
export const SEM_UNDO = C.SEM_UNDO;
/** semctl's commands. */
export const GETVAL = C.GETVAL;
export const SETVAL = C.SETVAL;
export const GETALL = C.GETALL;
export const SETALL = C.SETALL;
export const GETPID = C.GETPID;
export const GETNCNT = C.GETNCNT;
export const GETZCNT = C.GETZCNT;
/** msgrcv's flags: truncate a longer message instead of E2BIG; take the first whose type is NOT msgtyp. */
export const MSG_NOERROR = C.MSG_NOERROR;
export const MSG_EXCEPT = C.MSG_EXCEPT;
/** mq_send's priorities run 0 .. MQ_PRIO_MAX - 1 (sysconf(_SC_MQ_PRIO_MAX)). */
export const MQ_PRIO_MAX = C.MQ_PRIO_MAX;

export const WNOHANG = C.WNOHANG;
export const WUNTRACED = C.WUNTRACED;
export const WCONTINUED = C.WCONTINUED;

/** The real-time signals (glibc keeps the first few for itself: read at run time) and NSIG. */
export const SIGRTMIN = C.SIGRTMIN;
export const SIGRTMAX = C.SIGRTMAX;
export const NSIG = C.NSIG;
/** si_code: who sent a signal, and how (kill, sigqueue, tgkill, the kernel, a timer, a queue). */
export const SI_USER = C.SI_USER;
export const SI_QUEUE = C.SI_QUEUE;
export const SI_TKILL = C.SI_TKILL;
export const SI_KERNEL = C.SI_KERNEL;
export const SI_TIMER = C.SI_TIMER;
export const SI_MESGQ = C.SI_MESGQ;
/** si_code of SIGCHLD: how the child changed state. */
export const CLD_EXITED = C.CLD_EXITED;
export const CLD_KILLED = C.CLD_KILLED;
export const CLD_DUMPED = C.CLD_DUMPED;
export const CLD_STOPPED = C.CLD_STOPPED;
export const CLD_CONTINUED = C.CLD_CONTINUED;

/** libuv's poll events (lib/poll.ts). */
export const UV_READABLE = C.UV_READABLE;
export const UV_WRITABLE = C.UV_WRITABLE;

/** poll(2)'s events (the blocking poll of the …Sync calls). */
export const POLLIN = C.POLLIN;
export const POLLOUT = C.POLLOUT;

/** socket(2)'s domains (address families) and types. */
export const AF_INET = C.AF_INET;
export const AF_INET6 = C.AF_INET6;
export const AF_UNIX = C.AF_UNIX;
export const SOCK_STREAM = C.SOCK_STREAM;
export const SOCK_DGRAM = C.SOCK_DGRAM;
export const SOCK_SEQPACKET = C.SOCK_SEQPACKET;
export const SOCK_NONBLOCK = C.SOCK_NONBLOCK;
/** setsockopt(2)'s levels and options. */
export const SOL_SOCKET = C.SOL_SOCKET;
export const SO_REUSEADDR = C.SO_REUSEADDR;
export const SO_REUSEPORT = C.SO_REUSEPORT;
export const SO_BROADCAST = C.SO_BROADCAST;
export const SO_KEEPALIVE = C.SO_KEEPALIVE;
export const SO_RCVBUF = C.SO_RCVBUF;
export const SO_SNDBUF = C.SO_SNDBUF;
export const SO_ERROR = C.SO_ERROR;
export const SO_TYPE = C.SO_TYPE;
export const SO_ACCEPTCONN = C.SO_ACCEPTCONN;
export const IPPROTO_TCP = C.IPPROTO_TCP;
export const IPPROTO_UDP = C.IPPROTO_UDP;
export const IPPROTO_IP = C.IPPROTO_IP;
export const TCP_NODELAY = C.TCP_NODELAY;
export const IP_MULTICAST_LOOP = C.IP_MULTICAST_LOOP;
export const IP_MULTICAST_TTL = C.IP_MULTICAST_TTL;
/** shutdown(2)'s `how`: stop reading, writing (the peer reads end of file), or both. */
export const SHUT_RD = C.SHUT_RD;
export const SHUT_WR = C.SHUT_WR;
export const SHUT_RDWR = C.SHUT_RDWR;
/** The largest listen() backlog the headers name (the kernel caps it at /proc/sys/net/core/somaxconn). */
export const SOMAXCONN = C.SOMAXCONN;

/** stat(2)'s st_mode: the file-type bits, and the type of a FIFO. */
export const S_IFMT = C.S_IFMT;
export const S_IFIFO = C.S_IFIFO;

/** The longest file name (POSIX object names too), in bytes. */
export const NAME_MAX = C.NAME_MAX;
/** Writes to a pipe of at most this many bytes are atomic: never interleaved with others. */
export const PIPE_BUF = C.PIPE_BUF;
export const SEM_VALUE_MAX = C.SEM_VALUE_MAX;
/** sizeof(sem_t) and its alignment: the room an unnamed semaphore takes in shared memory. */
export const SIZEOF_SEM_T = C.SIZEOF_SEM_T;
export const ALIGNOF_SEM_T = C.ALIGNOF_SEM_T;
/** sysconf(_SC_PAGESIZE). */
export const PAGE_SIZE = C.PAGE_SIZE;

/** The errno values the library itself reports (timeouts, interrupts, its own checks). */
export const errno = C.errno;
export type ErrnoCode = keyof typeof C.errno;
