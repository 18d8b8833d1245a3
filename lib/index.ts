/**
 * ipc-lab: POSIX inter-process communication from TypeScript, one module per
 * mechanism. This is the whole public surface, listed name by name (no
 * `export *`): a helper of a module stays private unless it is added here,
 * and test/exports.test.ts fails when this list changes without its own list
 * changing too. Names are unique across mechanisms (ShmOpenOptions, not
 * OpenOptions). Errors are SystemErrors with `code`, `errno`, `syscall` and
 * the object in a property of its own (`fd`, `pid`, `key`, `shmid`, `path`).
 */

// General: errors, constants, descriptors, waiting, memory mapping.
export { SystemError } from "./system-error";
export { addonPath, binDir } from "./native";
export {
  O_RDONLY,
  O_WRONLY,
  O_RDWR,
  O_CREAT,
  O_EXCL,
  O_TRUNC,
  O_NONBLOCK,
  O_CLOEXEC,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
  MAP_SHARED,
  MAP_PRIVATE,
  NAME_MAX,
  PIPE_BUF,
  PAGE_SIZE,
} from "./constants";
export type { ByteInput } from "./bytes";
export { Descriptor } from "./descriptor";
export type { WaitOptions } from "./waiting";
export { pendingWaits } from "./poll";
export { blockingThreads, pendingBlockingWaits, releaseBlockingThreads } from "./blocking";
export {
  read,
  readSync,
  readIntoSync,
  readAll,
  write,
  writeSync,
  close,
  dup,
  dup2,
  fdFlags,
  setNonblocking,
  setCloexec,
  openFds,
  type OpenFd,
} from "./fd";
export {
  ftruncate,
  fstat,
  formatPermissions,
  mmap,
  munmap,
  MAX_MAPPING,
  type FileStat,
} from "./memory";
export { Mapping, type MappingKind } from "./mapping";
export { hexdump, type HexdumpOptions } from "./hexdump";

// Processes.
export {
  getpid,
  getppid,
  fork,
  routines,
  Child,
  spawnWithFds,
  SpawnedChild,
  kill,
  waitpid,
  waitpidSync,
  setChildSubreaper,
  demoGlobal,
  type ForkOptions,
  type SpawnOptions,
  type WaitSyncOptions,
  type WaitStatus,
} from "./process";

// Mechanisms, in chapter order.
export { pipe, pipeSize, setPipeSize, type PipeOptions } from "./pipe";
export {
  mkfifo,
  openFifo,
  Fifo,
  stat,
  unlink,
  umask,
  type MkfifoOptions,
  type FifoOpenOptions,
  type FifoAccess,
  type PathStat,
} from "./fifo";
export {
  SeqnumServer,
  seqnumRequest,
  seqnumClientPath,
  SEQNUM_SERVER_FIFO,
  SEQNUM_CLIENT_TEMPLATE,
  type SeqnumPaths,
  type SeqnumRequestOptions,
  type SeqnumServerOptions,
} from "./seqnum";
export {
  shmOpen,
  shmUnlink,
  SharedMemory,
  SHM_DIR,
  type ShmCreateOptions,
  type ShmOpenOptions,
  type ShmEntry,
} from "./shm";
export {
  IPC_PRIVATE,
  IPC_CREAT,
  IPC_EXCL,
  IPC_RMID,
  IPC_STAT,
  SHM_RDONLY,
  formatKey,
  ftok,
  shmget,
  shmat,
  shmdt,
  shmctl,
  listSegments,
  type ShmidDs,
  type SysvSegment,
} from "./sysv-shm";
export {
  Semaphore,
  UnnamedSemaphore,
  SEM_VALUE_MAX,
  SIZEOF_SEM_T,
  ALIGNOF_SEM_T,
  type SemaphoreOpenOptions,
  type SemaphoreWaitOptions,
  type UnnamedSemaphoreOptions,
} from "./sem";
export {
  IPC_NOWAIT,
  SEM_UNDO,
  GETVAL,
  SETVAL,
  GETALL,
  SETALL,
  GETPID,
  GETNCNT,
  GETZCNT,
  semget,
  semop,
  trySemop,
  semctl,
  semgetInitialized,
  listSemaphoreSets,
  type SemOp,
  type SemidDs,
  type SemgetInitOptions,
  type SysvSemaphoreSet,
} from "./sysv-sem";
export {
  MessageQueue,
  listMessageQueues,
  mqueueStatus,
  mqueueLimits,
  MQ_PRIO_MAX,
  IPC_SET,
  MSG_NOERROR,
  MSG_EXCEPT,
  msgget,
  msgsnd,
  msgrcv,
  msgctl,
  sysvMessageQueues,
  type MessageQueueOpenOptions,
  type MessageQueueAttributes,
  type MessageQueueSendOptions,
  type ReceivedMessage,
  type MessageQueueStatus,
  type MessageQueueLimits,
  type SysvMessage,
  type MsqidDs,
  type SysvQueueEntry,
} from "./mqueue";

export {
  MAP_ANONYMOUS,
  MS_SYNC,
  MS_ASYNC,
  MS_INVALIDATE,
  MADV_NORMAL,
  MADV_SEQUENTIAL,
  MADV_RANDOM,
  MADV_WILLNEED,
  MADV_DONTNEED,
  POSIX_FADV_DONTNEED,
} from "./constants";
export {
  open,
  msync,
  madvise,
  mincore,
  posixFadvise,
  getrusage,
  procMaps,
  smaps,
  MappedFile,
  type PageFaults,
  type MapsEntry,
  type MappedFileOptions,
  type MappedFileCreateOptions,
} from "./mapped-file";
export { SIGRTMIN, SIGRTMAX } from "./constants";
export {
  sigqueue,
  SignalFd,
  signalName,
  signalNumberOf,
  defaultAction,
  signalMask,
  pendingSignals,
  signalAction,
  signalStatus,
  threadsBlocking,
  type SignalInfo,
  type SignalCode,
  type SignalStatus,
  type SignalDefaultAction,
} from "./signal";
export {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  SOCK_STREAM,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_NONBLOCK,
  SOL_SOCKET,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_BROADCAST,
  SO_KEEPALIVE,
  SO_RCVBUF,
  SO_SNDBUF,
  SO_ERROR,
  SO_TYPE,
  SO_ACCEPTCONN,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_IP,
  TCP_NODELAY,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  SHUT_RD,
  SHUT_WR,
  SHUT_RDWR,
  SOMAXCONN,
} from "./constants";
export {
  socket,
  socketpair,
  bind,
  listen,
  accept,
  acceptSync,
  connect,
  connectSync,
  shutdown,
  getsockname,
  getpeername,
  setsockopt,
  getsockopt,
  setLinger,
  setMembership,
  sendto,
  recvfrom,
  sendFds,
  receiveFds,
  lookup,
  formatAddress,
  type SocketAddress,
  type SocketAddressInput,
  type AcceptedConnection,
  type Datagram,
  type ReceivedFds,
} from "./socket";
export {
  ServerSocket,
  Socket,
  SocketInput,
  SocketOutput,
  DatagramSocket,
  MulticastSocket,
  type ServerSocketOptions,
  type SocketConnectOptions,
  type DatagramSocketOptions,
} from "./socket-classes";
// Instruments of every chapter: what the kernel sees.
export {
  trace,
  traceCalls,
  whyNotTraceable,
  type TraceOptions,
  type TraceResult,
  type TraceRow,
} from "./trace";
export { panel, Panel, type PanelOptions } from "./panel";
// Chapter 09: remote procedure calls (XDR, ONC RPC, the portmapper, the IDL compiler).
export {
  xdr,
  xdrEncode,
  xdrDecode,
  XdrWriter,
  XdrReader,
  XdrError,
  XDR_MAX_LENGTH,
  type XdrType,
  type XdrValue,
  type XdrFields,
  type XdrUnionValue,
  type XdrUnionArm,
  type XdrErrorCode,
  type XdrReaderOptions,
} from "./xdr";
export {
  RpcClient,
  RpcError,
  RecordReader,
  authNone,
  authSys,
  frameRecord,
  writeCallHeader,
  xdr_authsys_parms,
  RPC_VERSION,
  RPC_MAX_RECORD,
  MsgType,
  ReplyStat,
  AcceptStat,
  RejectStat,
  AuthFlavor,
  AuthStat,
  type RpcClientOptions,
  type RpcCallOptions,
  type RpcTransport,
  type RpcErrorCode,
  type OpaqueAuth,
  type AuthSysParams,
} from "./rpc";
export {
  RpcServer,
  procedure,
  type RpcCallContext,
  type RpcProcedure,
  type RpcProgram,
  type RpcServerOptions,
  type RpcListenOptions,
} from "./rpc-server";
export {
  Portmapper,
  xdr_mapping,
  PMAP_PROG,
  PMAP_VERS,
  PMAP_PORT,
  PmapProc,
  type PortMapping,
  type PortmapperOptions,
} from "./portmapper";
export { rpcgen, parseX, RpcgenError, type RpcgenOptions } from "./rpcgen";
