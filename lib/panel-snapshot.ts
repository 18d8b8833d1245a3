/**
 * What the kernel says about a process and its descendants, read from its
 * own views: /proc/PID/{stat,fd,fdinfo,maps}, the sockets of each process's
 * network namespace in /proc/PID/net/{unix,tcp,tcp6,udp,udp6} (and `ss -x`
 * for Unix sockets' peers), /dev/shm, /dev/mqueue, /proc/sysvipc/{shm,sem,msg}. Plain
 * data, so a snapshot can be stored as a test fixture and drawn later.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync, statSync } from "node:fs";
import { endianness } from "node:os";

export interface FdEntry {
  fd: number;
  /** readlink(/proc/PID/fd/N): "pipe:[123]", "socket:[9]", "/dev/shm/x", "anon_inode:[eventfd]". */
  target: string;
  /** The open file's access mode, from /proc/PID/fdinfo/N's flags. */
  mode: "r" | "w" | "rw";
  /** True when the target is a FIFO (named pipe) on a file system. */
  fifo?: boolean;
}

export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** /proc/PID/stat's state: R, S, D, Z (zombie), T... */
  state: string;
  /** /proc/PID/comm. */
  name: string;
  fds: FdEntry[];
  /** Shared mappings from /proc/PID/maps: "/dev/shm/demo", "/SYSV0000abcd (deleted)". */
  maps: string[];
  /** MAP_SHARED mappings of regular files (absent in snapshots recorded before they were read). */
  files?: MappedFileEntry[];
}

/** A regular file a process maps MAP_SHARED: one entry per file, however many regions. */
export interface MappedFileEntry {
  /** As /proc/PID/maps names it, without " (deleted)". */
  path: string;
  /** The maps line's device ("fd:01") and inode: the file itself, whatever its name now. */
  device: string;
  inode: number;
  /** Some region of it is writable (rw-s); otherwise every one is read-only (r--s). */
  writable: boolean;
  /** Its size, from stat; absent once unlinked. */
  size?: number;
  /** Unlinked while mapped: the maps line says "(deleted)". */
  deleted?: boolean;
}

export interface UnixSocket {
  inode: number;
  /** The peer's inode (from ss), when connected. */
  peer?: number;
  /** The bound path, "@name" for an abstract one, "" when unnamed. */
  path: string;
  type: "stream" | "dgram" | "seqpacket";
}

/** An address and port as /proc/net/tcp gives them, decoded: "127.0.0.1", "::", "::ffff:127.0.0.1". */
export interface InetEndpoint {
  address: string;
  port: number;
}

/** A TCP or UDP socket (IPv4 or IPv6), from /proc/PID/net/{tcp,tcp6,udp,udp6}. */
export interface InetSocket {
  inode: number;
  protocol: "tcp" | "udp";
  family: 4 | 6;
  local: InetEndpoint;
  /** Address 0 and port 0 when not connected (a listener, an unconnected UDP socket). */
  remote: InetEndpoint;
  /** The kernel's state by name: LISTEN, ESTABLISHED, TIME_WAIT...; a UDP socket is CLOSE unless connected. */
  state: string;
}

export interface ObjectEntry {
  name: string;
  size: number;
}

export interface SysvEntry {
  key: string;
  id: number;
  size?: number;
  nattch?: number;
  nsems?: number;
  cpid?: number;
  /** A message queue's messages and bytes waiting. */
  qnum?: number;
  cbytes?: number;
  /** The pids of the last msgsnd and the last msgrcv (0: none yet). */
  lspid?: number;
  lrpid?: number;
}

export interface Snapshot {
  /** The process the panel is about (the notebook's kernel). */
  root: number;
  processes: ProcessEntry[];
  unix: UnixSocket[];
  /** TCP and UDP sockets (absent in snapshots recorded before they were read). */
  inet?: InetSocket[];
  shm: ObjectEntry[];
  mqueue: ObjectEntry[];
  sysvShm: SysvEntry[];
  sysvSem: SysvEntry[];
  /** System V message queues (absent in snapshots recorded before they were read). */
  sysvMsg?: SysvEntry[];
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** pid, ppid and state from /proc/PID/stat (the name may hold spaces and parentheses). */
export function parseStat(stat: string): { pid: number; ppid: number; state: string } {
  const close = stat.lastIndexOf(")");
  const [state, ppid] = stat.slice(close + 2).split(" ");
  return { pid: Number(stat.slice(0, stat.indexOf(" "))), ppid: Number(ppid), state: state ?? "?" };
}

function modeOf(pid: number, fd: number): FdEntry["mode"] {
  const flags = /flags:\s*([0-7]+)/.exec(read(`/proc/${pid}/fdinfo/${fd}`) ?? "")?.[1];
  const access = Number.parseInt(flags ?? "0", 8) & 3;
  return access === 0 ? "r" : access === 1 ? "w" : "rw";
}

function fdsOf(pid: number): FdEntry[] {
  let names: string[];
  try {
    names = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return []; // a zombie has none; another user's process is not ours to read
  }
  const fds: FdEntry[] = [];
  for (const name of names) {
    const fd = Number(name);
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    const entry: FdEntry = { fd, target, mode: modeOf(pid, fd) };
    if (target.startsWith("/")) {
      try {
        if (statSync(`/proc/${pid}/fd/${fd}`).isFIFO()) entry.fifo = true;
      } catch {
        // gone
      }
    }
    fds.push(entry);
  }
  return fds.sort((a, b) => a.fd - b.fd);
}

/**
 * The name in /dev/shm that a mapping's file has now. glibc's sem_open maps a
 * temporary file (sem.XXXXXX), links it to sem.NAME and unlinks the
 * temporary name, so /proc/PID/maps says "/dev/shm/sem.XXXXXX (deleted)" for
 * what is sem.NAME: found by its inode (the maps line's fifth field).
 */
function currentName(file: string, inode: number): string {
  if (!file.startsWith("/dev/shm/") || !file.endsWith(" (deleted)")) return file;
  let names: string[] = [];
  try {
    names = readdirSync("/dev/shm");
  } catch {
    return file;
  }
  for (const name of names) {
    try {
      if (statSync(`/dev/shm/${name}`).ino === inode) return `/dev/shm/${name}`;
    } catch {
      // removed meanwhile
    }
  }
  return file;
}

/**
 * Directories whose files a process maps shared without meaning any IPC:
 * glibc maps /usr/lib/.../gconv-modules.cache (iconv), nscd's and SSSD's
 * caches (/var/cache/nscd, /var/lib/sss/mc), fontconfig its caches, all
 * MAP_SHARED read-only. /var/tmp and /run/user are the user's.
 */
const SYSTEM_DIRS =
  /^\/(usr|lib\w*|bin|sbin|etc|boot|opt|snap|nix|proc|sys|dev)\/|^\/var\/(?!tmp\/)|^\/run\/(?!user\/)/;

/**
 * Whether a MAP_SHARED region's file is one the panel draws as a mapped file:
 * a regular file, not in a system directory (above), not a file the process
 * also maps executable (its own binary or a library), and not one of the
 * kernel's internal files, which /proc/PID/maps names at the root of their
 * internal mount: "/memfd:x (deleted)", "/[aio] (deleted)", "/drm mm object
 * (deleted)". (MAP_SHARED | MAP_ANONYMOUS is "/dev/zero (deleted)": a device.)
 */
function mappedFile(
  pid: number,
  path: string,
  deleted: boolean,
  executable: Set<string>,
): { size?: number } | undefined {
  if (!path.startsWith("/") || SYSTEM_DIRS.test(path) || executable.has(path)) return undefined;
  if (path.lastIndexOf("/") === 0 && (deleted || path.startsWith("/memfd:"))) return undefined;
  if (deleted) return {};
  try {
    // Through /proc/PID/root: the path is the one the process sees (its mount namespace).
    const stat = statSync(`/proc/${pid}/root${path}`);
    return stat.isFile() ? { size: stat.size } : undefined;
  } catch {
    return undefined; // renamed or removed meanwhile, or not ours to see
  }
}

function sharedMaps(pid: number): { maps: string[]; files: MappedFileEntry[] } {
  const maps = new Set<string>();
  const files = new Map<string, MappedFileEntry>();
  const lines = (read(`/proc/${pid}/maps`) ?? "").split("\n").map((line) => {
    // start-end perms offset dev inode path (the path may hold spaces)
    const fields = line.trim().split(/\s+/);
    return {
      perms: fields[1] ?? "",
      device: fields[3] ?? "",
      inode: Number(fields[4]),
      file: fields.slice(5).join(" "),
    };
  });
  const executable = new Set(
    lines.filter((l) => l.perms[2] === "x").map((l) => l.file.replace(/ \(deleted\)$/, "")),
  );
  for (const { perms, device, inode, file } of lines) {
    if (perms[3] !== "s") continue; // private: the executable's and libraries' segments, copy-on-write
    if (file.startsWith("/dev/shm/") || file.startsWith("/SYSV")) {
      maps.add(currentName(file, inode));
      continue;
    }
    const deleted = file.endsWith(" (deleted)");
    const path = deleted ? file.slice(0, -" (deleted)".length) : file;
    const key = `${device}:${inode}`;
    const seen = files.get(key);
    if (seen) {
      seen.writable ||= perms[1] === "w";
      continue;
    }
    const found = mappedFile(pid, path, deleted, executable);
    if (!found) continue;
    const entry: MappedFileEntry = { path, device, inode, writable: perms[1] === "w", ...found };
    if (deleted) entry.deleted = true;
    files.set(key, entry);
  }
  return {
    maps: [...maps].sort(),
    files: [...files.values()].sort((a, b) => a.path.localeCompare(b.path)),
  };
}

function processEntry(pid: number): ProcessEntry | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const { ppid, state } = parseStat(stat);
  const { maps, files } = state === "Z" ? { maps: [], files: [] } : sharedMaps(pid);
  return {
    pid,
    ppid,
    state,
    name: (read(`/proc/${pid}/comm`) ?? "").trim(),
    fds: state === "Z" ? [] : fdsOf(pid),
    maps,
    files,
  };
}

/** The pid and every descendant of it, parents before children. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (!stat) continue;
    const { pid, ppid } = parseStat(stat);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const visit = (pid: number) => {
    out.push(pid);
    for (const child of (children.get(pid) ?? []).sort((a, b) => a - b)) visit(child);
  };
  visit(root);
  return out;
}

/** /proc/net/unix: inode, type and path of every Unix socket. */
export function parseProcNetUnix(text: string): UnixSocket[] {
  const types: Record<string, UnixSocket["type"]> = {
    "0001": "stream",
    "0002": "dgram",
    "0005": "seqpacket",
  };
  return text
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 7)
    .map((f) => ({ inode: Number(f[6]), type: types[f[4]!] ?? "stream", path: f[7] ?? "" }));
}

/** `ss -xan`'s lines: local inode -> peer inode. */
export function parseSsPeers(text: string): Map<number, number> {
  const peers = new Map<number, number>();
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    // Netid State Recv-Q Send-Q Local-Address Port Peer-Address Port
    if (f.length < 8) continue;
    const local = Number(f[5]);
    const peer = Number(f[7]);
    if (local > 0 && peer > 0) peers.set(local, peer);
  }
  return peers;
}

/** include/net/tcp_states.h, by number. */
const TCP_STATES = [
  "",
  "ESTABLISHED",
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "TIME_WAIT",
  "CLOSE",
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN",
  "CLOSING",
  "NEW_SYN_RECV",
];

/**
 * An address field of /proc/net/tcp: the address's bytes as 32-bit words,
 * each printed in hex in the host's byte order ("0100007F" is 127.0.0.1 on
 * a little-endian machine), then ":" and the port in hex.
 */
export function parseInetEndpoint(
  field: string,
  littleEndian = endianness() === "LE",
): InetEndpoint {
  const [hex = "", port = "0"] = field.split(":");
  if (!/^([0-9A-Fa-f]{8}){1,4}$/.test(hex) || (hex.length !== 8 && hex.length !== 32))
    throw new Error(`not an address of /proc/net: ${field}`);
  const bytes = Buffer.alloc(hex.length / 2);
  for (let i = 0; i < hex.length / 8; i++) {
    const word = Number.parseInt(hex.slice(i * 8, i * 8 + 8), 16);
    if (littleEndian) bytes.writeUInt32LE(word, i * 4);
    else bytes.writeUInt32BE(word, i * 4);
  }
  return { address: formatAddress(bytes), port: Number.parseInt(port, 16) };
}

/** An IPv4 or IPv6 address in its usual text form (RFC 5952 for IPv6; "::ffff:a.b.c.d" for a mapped one). */
export function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join(".");
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff)
    return `::ffff:${[...bytes.slice(12)].join(".")}`;
  // The longest run of two or more zero words becomes "::" (the first, on a tie).
  let [best, bestLength] = [-1, 1];
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLength).join(":")}`;
}

/** /proc/net/tcp, tcp6, udp or udp6: one socket per line, by its inode. */
export function parseProcNetInet(text: string, protocol: "tcp" | "udp"): InetSocket[] {
  const out: InetSocket[] = [];
  for (const line of text.split("\n").slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = parseInetEndpoint(f[1]!);
    const state = Number.parseInt(f[3]!, 16);
    out.push({
      inode: Number(f[9]),
      protocol,
      family: f[1]!.length > 13 ? 6 : 4,
      local,
      remote: parseInetEndpoint(f[2]!),
      state: TCP_STATES[state] ?? `state ${state}`,
    });
  }
  return out;
}

/** One process per network namespace: /proc/PID/net/ is that namespace's view. */
function namespaces(processes: ProcessEntry[]): number[] {
  const seen = new Map<string, number>();
  for (const proc of processes) {
    if (proc.state === "Z") continue;
    let ns: string;
    try {
      ns = readlinkSync(`/proc/${proc.pid}/ns/net`);
    } catch {
      continue;
    }
    if (!seen.has(ns)) seen.set(ns, proc.pid);
  }
  return [...seen.values()];
}

const heldSockets = (processes: ProcessEntry[]) =>
  new Set(
    processes.flatMap((p) =>
      p.fds.map((fd) => /^socket:\[(\d+)\]$/.exec(fd.target)?.[1]).filter((i) => i !== undefined),
    ),
  );

/** TCP and UDP sockets, IPv4 and IPv6, read only when one of ours is a socket that is not a Unix one. */
function inetSockets(processes: ProcessEntry[], pids: number[], unix: UnixSocket[]): InetSocket[] {
  const unixInodes = new Set(unix.map((s) => String(s.inode)));
  if (![...heldSockets(processes)].some((inode) => !unixInodes.has(inode))) return [];
  const byInode = new Map<number, InetSocket>();
  for (const pid of pids) {
    for (const [file, protocol] of [
      ["tcp", "tcp"],
      ["tcp6", "tcp"],
      ["udp", "udp"],
      ["udp6", "udp"],
    ] as const) {
      for (const socket of parseProcNetInet(read(`/proc/${pid}/net/${file}`) ?? "", protocol)) {
        // A TIME_WAIT or request socket has inode 0: nobody holds it.
        if (socket.inode > 0 && !byInode.has(socket.inode)) byInode.set(socket.inode, socket);
      }
    }
  }
  return [...byInode.values()];
}

/** Unix sockets; their peers from `ss` only when one of ours is a Unix socket (ss is a process to run). */
function unixSockets(processes: ProcessEntry[], pids: number[]): UnixSocket[] {
  const byInode = new Map<number, UnixSocket>();
  for (const pid of pids.length ? pids : ["self"])
    for (const socket of parseProcNetUnix(read(`/proc/${pid}/net/unix`) ?? ""))
      if (!byInode.has(socket.inode)) byInode.set(socket.inode, socket);
  const sockets = [...byInode.values()];
  const held = new Set(processes.flatMap((p) => p.fds.map((fd) => fd.target)));
  if (!sockets.some((socket) => held.has(`socket:[${socket.inode}]`))) return sockets;
  let peers = new Map<number, number>();
  try {
    peers = parseSsPeers(
      execFileSync("ss", ["-xan"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
    );
  } catch {
    // no ss: sockets are shown without their peers
  }
  for (const socket of sockets) {
    const peer = peers.get(socket.inode);
    if (peer) socket.peer = peer;
  }
  return sockets;
}

function objects(dir: string): ObjectEntry[] {
  try {
    return readdirSync(dir)
      .sort()
      .map((name) => {
        try {
          return { name, size: statSync(`${dir}/${name}`).size };
        } catch {
          return undefined;
        }
      })
      .filter((entry): entry is ObjectEntry => entry !== undefined);
  } catch {
    return [];
  }
}

/** /proc/sysvipc/shm, /sem or /msg: one entry per segment, set or queue, by the header's column names. */
export function parseSysv(text: string): SysvEntry[] {
  const [header, ...lines] = text.trim().split("\n");
  const names = (header ?? "").trim().split(/\s+/);
  return lines.map((line) => {
    const f = line.trim().split(/\s+/);
    const field = (name: string) => {
      const i = names.indexOf(name);
      return i < 0 ? undefined : Number(f[i]);
    };
    const key = Number(f[0]);
    const entry: SysvEntry = {
      key: `0x${(key >>> 0).toString(16).padStart(8, "0")}`,
      id: field(names[1]!) ?? 0,
    };
    for (const [from, to] of [
      ["size", "size"],
      ["nattch", "nattch"],
      ["nsems", "nsems"],
      ["cpid", "cpid"],
      ["qnum", "qnum"],
      ["cbytes", "cbytes"],
      ["lspid", "lspid"],
      ["lrpid", "lrpid"],
    ] as const) {
      const value = field(from);
      if (value !== undefined) entry[to] = value;
    }
    return entry;
  });
}

/**
 * A queue's lspid and lrpid as processes. The kernel records the process
 * (task_tgid) at msgsnd and msgrcv, but when msgsnd hands a message straight
 * to a msgrcv already waiting (ipc/msg.c's pipelined_send) it records the
 * waiting thread's id (task_pid): the library's waits run on threads, so
 * that is a thread of a process, found by /proc/TID/status's Tgid.
 */
function asProcesses(queue: SysvEntry): SysvEntry {
  const tgid = (pid: number | undefined) => {
    const found = pid ? /^Tgid:\s*(\d+)$/m.exec(read(`/proc/${pid}/status`) ?? "")?.[1] : undefined;
    return found ? Number(found) : pid;
  };
  return { ...queue, lspid: tgid(queue.lspid), lrpid: tgid(queue.lrpid) };
}

/** Reads everything the panel draws about `root` and its descendants, now. */
export function readSnapshot(root: number = process.pid): Snapshot {
  const processes = descendants(root)
    .map(processEntry)
    .filter((entry): entry is ProcessEntry => entry !== undefined);
  const pids = namespaces(processes);
  const unix = unixSockets(processes, pids);
  return {
    root,
    processes,
    unix,
    inet: inetSockets(processes, pids, unix),
    shm: objects("/dev/shm"),
    mqueue: objects("/dev/mqueue"),
    sysvShm: parseSysv(read("/proc/sysvipc/shm") ?? "key shmid\n"),
    sysvSem: parseSysv(read("/proc/sysvipc/sem") ?? "key semid\n"),
    sysvMsg: parseSysv(read("/proc/sysvipc/msg") ?? "key msqid\n").map(asProcesses),
  };
}
