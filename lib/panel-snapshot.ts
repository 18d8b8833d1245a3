/**
 * What the kernel says about a process and its descendants, read from its
 * own views: /proc/PID/{stat,fd,fdinfo,maps}, /proc/net/unix (and `ss -x`
 * for socket peers), /dev/shm, /dev/mqueue, /proc/sysvipc. Plain data, so a
 * snapshot can be stored as a test fixture and drawn later.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync, statSync } from "node:fs";

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
}

export interface UnixSocket {
  inode: number;
  /** The peer's inode (from ss), when connected. */
  peer?: number;
  /** The bound path, "@name" for an abstract one, "" when unnamed. */
  path: string;
  type: "stream" | "dgram" | "seqpacket";
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
}

export interface Snapshot {
  /** The process the panel is about (the notebook's kernel). */
  root: number;
  processes: ProcessEntry[];
  unix: UnixSocket[];
  shm: ObjectEntry[];
  mqueue: ObjectEntry[];
  sysvShm: SysvEntry[];
  sysvSem: SysvEntry[];
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

function sharedMaps(pid: number): string[] {
  const maps = new Set<string>();
  for (const line of (read(`/proc/${pid}/maps`) ?? "").split("\n")) {
    const fields = line.trim().split(/\s+/);
    const perms = fields[1] ?? "";
    const file = fields.slice(5).join(" ");
    if (perms[3] === "s" && (file.startsWith("/dev/shm/") || file.startsWith("/SYSV")))
      maps.add(currentName(file, Number(fields[4])));
  }
  return [...maps].sort();
}

function processEntry(pid: number): ProcessEntry | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const { ppid, state } = parseStat(stat);
  return {
    pid,
    ppid,
    state,
    name: (read(`/proc/${pid}/comm`) ?? "").trim(),
    fds: state === "Z" ? [] : fdsOf(pid),
    maps: state === "Z" ? [] : sharedMaps(pid),
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

/** Unix sockets; their peers from `ss` only when one of ours is a Unix socket (ss is a process to run). */
function unixSockets(processes: ProcessEntry[]): UnixSocket[] {
  const sockets = parseProcNetUnix(read("/proc/net/unix") ?? "");
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

/** /proc/sysvipc/shm or /sem: one entry per segment or set, by the header's column names. */
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
    ] as const) {
      const value = field(from);
      if (value !== undefined) entry[to] = value;
    }
    return entry;
  });
}

/** Reads everything the panel draws about `root` and its descendants, now. */
export function readSnapshot(root: number = process.pid): Snapshot {
  const processes = descendants(root)
    .map(processEntry)
    .filter((entry): entry is ProcessEntry => entry !== undefined);
  return {
    root,
    processes,
    unix: unixSockets(processes),
    shm: objects("/dev/shm"),
    mqueue: objects("/dev/mqueue"),
    sysvShm: parseSysv(read("/proc/sysvipc/shm") ?? "key shmid\n"),
    sysvSem: parseSysv(read("/proc/sysvipc/sem") ?? "key semid\n"),
  };
}
