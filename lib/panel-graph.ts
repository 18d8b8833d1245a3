/**
 * A snapshot as a graph: processes with their descriptor slots, the kernel
 * objects the slots point to (pipes joined by inode, FIFOs by path, sockets
 * with their peers: a Unix pair by inode, a TCP connection by its addresses,
 * the local one of each end being the remote one of the other; shared
 * memory, message queues, semaphores, regular files mapped MAP_SHARED joined
 * by inode), and one edge per slot, shared mapping or System V queue's last
 * sender and receiver. A peer no process of the picture holds is an
 * endpoint, by its address. Pure: the same snapshot gives the same graph.
 */
import type {
  FdEntry,
  InetEndpoint,
  InetSocket,
  MappedFileEntry,
  Snapshot,
  UnixSocket,
} from "./panel-snapshot";

export type ObjectKind =
  | "pipe"
  | "fifo"
  | "socket"
  | "endpoint"
  | "shm"
  | "semaphore"
  | "mapped-file"
  | "mqueue"
  | "sysv-shm"
  | "sysv-sem"
  | "sysv-msg";

export interface Slot {
  fd: number;
  /** What the slot says, e.g. "fd 3 read end", "fd 5 /dev/shm/demo". */
  label: string;
  /** The object it points to, when the panel draws that object. */
  object?: string;
  role: "read" | "write" | "rw";
}

/** A System V call the kernel remembers by pid: a queue's last msgsnd (write) or msgrcv (read). */
export interface LastCall {
  object: string;
  /** "last msgsnd", "last msgrcv". */
  label: string;
  role: "read" | "write";
}

export interface ProcNode {
  pid: number;
  ppid: number;
  name: string;
  /** The panel's process, one of its children, or a deeper descendant. */
  relation: "root" | "child" | "descendant";
  zombie: boolean;
  /** /proc/PID/stat's state letter: R, S, D, T (stopped by a signal), t (by its tracer), Z. */
  state: string;
  slots: Slot[];
  /** Shared mappings, by object id. */
  maps: string[];
  /** Those of `maps` that are mapped files this process maps read-only. */
  readOnly: string[];
  /** The queues whose last msgsnd or msgrcv this process made. */
  lastCalls: LastCall[];
  /** Descriptors left out (the kernel's own, or not IPC). */
  hidden: number;
}

export interface ObjNode {
  id: string;
  kind: ObjectKind;
  /** The heading ("pipe", "FIFO", "/dev/shm/demo"...). */
  title: string;
  /** Detail lines ("pipe:[1234]", "4096 bytes"). */
  detail: string[];
  /** pids holding it, by role. */
  readers: number[];
  writers: number[];
  mappers: number[];
  /** What a student should notice ("no reader: a write gets EPIPE"). */
  notes: string[];
  /** A socket's peer outside the picture: the id of its "endpoint" object. */
  endpoint?: string;
}

export interface Graph {
  processes: ProcNode[];
  objects: ObjNode[];
}

export interface GraphOptions {
  /**
   * Descriptor targets ("pipe:[12]", "/dev/null") and object names
   * ("shm:/x", "sysv-shm:0x...") to leave out: what the process held before
   * the panel started (the kernel's own sockets, its stdio).
   */
  hide?: Set<string>;
  /** Show every descriptor, the non-IPC ones too (files, eventfds, epoll). */
  all?: boolean;
  /**
   * The objects nobody holds that are still shown ("left behind"), by id;
   * default: every one. The live panel passes those it saw held before, so
   * other programs' objects in /dev/shm stay out of the picture.
   */
  keep?: Set<string>;
}

function mqName(target: string, snapshot: Snapshot): string | undefined {
  // An mq descriptor's link is "/NAME", the name inside the mqueue file system.
  if (!/^\/[^/]+$/.test(target)) return undefined;
  return snapshot.mqueue.some((q) => `/${q.name}` === target) ? target.slice(1) : undefined;
}

/** "127.0.0.1:80", "[::1]:80": an endpoint as a connection's address is written. */
export function endpointText(socket: Pick<InetSocket, "family">, end: InetEndpoint): string {
  return socket.family === 6 ? `[${end.address}]:${end.port}` : `${end.address}:${end.port}`;
}

/** An address as both families see it: an IPv4-mapped IPv6 address is its IPv4 one. */
const plain = (end: InetEndpoint) => `${end.address.replace(/^::ffff:(?=\d+\.)/, "")}:${end.port}`;

const connected = (socket: InetSocket) => socket.remote.port !== 0;

/** TCP and UDP sockets by inode, and which of them the picture's processes hold. */
interface Sockets {
  inet: Map<number, InetSocket>;
  held: Set<number>;
  /** By protocol, local and remote address: where a peer is found in one look-up. */
  byEnds: Map<string, InetSocket>;
  unix: Map<number, UnixSocket>;
  /** Where each socket is first held in the picture (parents before children, lower descriptors first). */
  order: Map<number, number>;
}

const ends = (protocol: string, local: InetEndpoint, remote: InetEndpoint) =>
  `${protocol} ${plain(local)} ${plain(remote)}`;

function socketsOf(snapshot: Snapshot): Sockets {
  const held = new Set<number>();
  const order = new Map<number, number>();
  for (const proc of snapshot.processes)
    for (const fd of proc.fds) {
      const inode = /^socket:\[(\d+)\]$/.exec(fd.target)?.[1];
      if (inode) held.add(Number(inode));
      if (inode && !order.has(Number(inode))) order.set(Number(inode), order.size);
    }
  const inet = snapshot.inet ?? [];
  return {
    inet: new Map(inet.map((s) => [s.inode, s])),
    held,
    order,
    unix: new Map(snapshot.unix.map((s) => [s.inode, s])),
    byEnds: new Map(inet.map((s) => [ends(s.protocol, s.local, s.remote), s])),
  };
}

/** The other end of a connected socket, among all the namespace's sockets: local and remote swapped. */
function peerOf(socket: InetSocket, sockets: Sockets): InetSocket | undefined {
  if (!connected(socket)) return undefined;
  const other = sockets.byEnds.get(ends(socket.protocol, socket.remote, socket.local));
  return other && other.inode !== socket.inode ? other : undefined;
}

/** Whether a socket the picture holds is bound to that address (an unconnected UDP peer, say). */
function heldHere(end: InetEndpoint, protocol: InetSocket["protocol"], sockets: Sockets): boolean {
  const wanted = plain(end);
  for (const inode of sockets.held) {
    const s = sockets.inet.get(inode);
    if (s?.protocol !== protocol || s.local.port !== end.port) continue;
    if (plain(s.local) === wanted || /^(0\.0\.0\.0|::)$/.test(s.local.address)) return true;
  }
  return false;
}

/** Which object a descriptor points to, as [id, kind], or undefined for non-IPC descriptors. */
function objectOf(
  fd: FdEntry,
  snapshot: Snapshot,
  sockets: Sockets,
): [string, ObjectKind] | undefined {
  const inode = /^(pipe|socket):\[(\d+)\]$/.exec(fd.target);
  if (inode?.[1] === "pipe") return [`pipe:${inode[2]}`, "pipe"];
  if (inode?.[1] === "socket") {
    const socket = sockets.unix.get(Number(inode[2]));
    if (socket) {
      const pair = socket.peer ? [socket.inode, socket.peer].sort((a, b) => a - b) : [socket.inode];
      return [`socket:${pair.join("-")}`, "socket"];
    }
    const inet = sockets.inet.get(Number(inode[2]));
    if (!inet) return undefined; // netlink and the like: not this course's IPC
    // Both ends in the picture: one object, as a Unix pair is.
    const peer = peerOf(inet, sockets);
    const pair =
      peer && sockets.held.has(peer.inode)
        ? [inet.inode, peer.inode].sort((a, b) => a - b)
        : [inet.inode];
    return [`socket:${pair.join("-")}`, "socket"];
  }
  if (fd.fifo) return [`fifo:${fd.target.replace(/ \(deleted\)$/, "")}`, "fifo"];
  const shm = /^\/dev\/shm\/(.+?)( \(deleted\))?$/.exec(fd.target);
  if (shm)
    return shm[1]!.startsWith("sem.") ? [`shm:${shm[1]}`, "semaphore"] : [`shm:${shm[1]}`, "shm"];
  const mq = mqName(fd.target, snapshot);
  if (mq) return [`mqueue:${mq}`, "mqueue"];
  return undefined;
}

function roleOf(fd: FdEntry, kind: ObjectKind): Slot["role"] {
  if (kind === "pipe" || kind === "fifo")
    return fd.mode === "w" ? "write" : fd.mode === "r" ? "read" : "rw";
  return fd.mode === "r" ? "read" : fd.mode === "w" ? "write" : "rw";
}

function slotLabel(
  fd: FdEntry,
  kind: ObjectKind | undefined,
  role: Slot["role"],
  sockets: Sockets,
): string {
  if (kind === "pipe") return `fd ${fd.fd} ${role === "rw" ? "both ends" : `${role} end`}`;
  if (kind === "fifo") return `fd ${fd.fd} ${role === "rw" ? "FIFO rw" : `FIFO ${role}`}`;
  if (kind === "socket") {
    // A TCP or UDP end says its own address: which end of a connection this process holds.
    const inet = sockets.inet.get(Number(/^socket:\[(\d+)\]$/.exec(fd.target)?.[1]));
    if (!inet) return `fd ${fd.fd} socket`;
    const what = inet.state === "LISTEN" ? "listening" : inet.protocol.toUpperCase();
    return `fd ${fd.fd} ${what} ${endpointText(inet, inet.local)}`;
  }
  if (kind === "shm" || kind === "semaphore")
    return `fd ${fd.fd} ${kind === "shm" ? "shm" : "sem"} ${role}`;
  if (kind === "mqueue") return `fd ${fd.fd} mq ${role}`;
  return `fd ${fd.fd} ${fd.target}`;
}

const sysvKey = (map: string) => /^\/SYSV([0-9a-f]{8})/.exec(map)?.[1];

/** A mapped file's object id: its device and inode, so two names of one file are one object. */
export const fileId = (file: Pick<MappedFileEntry, "device" | "inode">) =>
  `file:${file.device}:${file.inode}`;

export function buildGraph(snapshot: Snapshot, options: GraphOptions = {}): Graph {
  const hide = options.hide ?? new Set<string>();
  const sockets = socketsOf(snapshot);
  const objects = new Map<string, ObjNode>();
  const object = (id: string, kind: ObjectKind): ObjNode => {
    let node = objects.get(id);
    if (!node) {
      node = { id, kind, title: "", detail: [], readers: [], writers: [], mappers: [], notes: [] };
      objects.set(id, node);
    }
    return node;
  };
  const add = (list: number[], pid: number) => {
    if (!list.includes(pid)) list.push(pid);
  };
  const rootChildren = new Set(
    snapshot.processes.filter((p) => p.ppid === snapshot.root).map((p) => p.pid),
  );

  const processes: ProcNode[] = snapshot.processes.map((proc) => {
    const node: ProcNode = {
      pid: proc.pid,
      ppid: proc.ppid,
      name: proc.name,
      relation:
        proc.pid === snapshot.root ? "root" : rootChildren.has(proc.pid) ? "child" : "descendant",
      zombie: proc.state === "Z",
      state: proc.state,
      slots: [],
      maps: [],
      readOnly: [],
      lastCalls: [],
      hidden: 0,
    };
    for (const fd of proc.fds) {
      const found = objectOf(fd, snapshot, sockets);
      if (hide.has(fd.target) || (!found && !options.all)) {
        node.hidden++;
        continue;
      }
      const role = found
        ? roleOf(fd, found[1])
        : fd.mode === "r"
          ? "read"
          : fd.mode === "w"
            ? "write"
            : "rw";
      const slot: Slot = { fd: fd.fd, label: slotLabel(fd, found?.[1], role, sockets), role };
      if (found) {
        const obj = object(found[0], found[1]);
        slot.object = obj.id;
        if (role !== "write") add(obj.readers, proc.pid);
        if (role !== "read") add(obj.writers, proc.pid);
      }
      node.slots.push(slot);
    }
    for (const map of proc.maps) {
      const key = sysvKey(map);
      const id = key
        ? `sysv-shm:0x${key}`
        : `shm:${map.slice("/dev/shm/".length).replace(/ \(deleted\)$/, "")}`;
      if (hide.has(id)) continue;
      const obj = object(id, key ? "sysv-shm" : id.startsWith("shm:sem.") ? "semaphore" : "shm");
      add(obj.mappers, proc.pid);
      if (!node.maps.includes(id)) node.maps.push(id);
    }
    // A file is one object however many processes map it: by its device and inode, not its name.
    for (const file of proc.files ?? []) {
      const id = fileId(file);
      if (hide.has(id)) continue;
      add(object(id, "mapped-file").mappers, proc.pid);
      if (!node.maps.includes(id)) node.maps.push(id);
      if (!file.writable) node.readOnly.push(id);
    }
    return node;
  });

  /*
   * A System V queue has no descriptor: no process holds it, and the kernel
   * keeps neither who created it (only the creator's uid) nor who uses it,
   * only the pids of the last msgsnd (lspid) and the last msgrcv (lrpid).
   * So the picture draws those two, as a writer and a reader, and says who
   * they were when they are outside it. (A semaphore set keeps less:
   * /proc/sysvipc/sem has no pid at all, so sets are drawn with no edge.)
   */
  const ours = new Set(snapshot.processes.map((p) => p.pid));
  for (const entry of snapshot.sysvMsg ?? []) {
    const id = `sysv-msg:${entry.id}`;
    if (hide.has(id)) continue;
    for (const [pid, label, role] of [
      [entry.lspid, "last msgsnd", "write"],
      [entry.lrpid, "last msgrcv", "read"],
    ] as const) {
      const node = pid ? processes.find((p) => p.pid === pid) : undefined;
      if (!node) continue;
      const obj = object(id, "sysv-msg");
      add(role === "write" ? obj.writers : obj.readers, node.pid);
      node.lastCalls.push({ object: id, label, role });
    }
  }

  // Objects nobody holds but that exist: what was left in /dev/shm, /dev/mqueue, System V.
  const shown = (id: string) =>
    !hide.has(id) && (objects.has(id) || !options.keep || options.keep.has(id));
  for (const entry of snapshot.shm) {
    const id = `shm:${entry.name}`;
    if (shown(id)) object(id, entry.name.startsWith("sem.") ? "semaphore" : "shm");
  }
  for (const entry of snapshot.mqueue) {
    const id = `mqueue:${entry.name}`;
    if (shown(id)) object(id, "mqueue");
  }
  for (const entry of snapshot.sysvShm) {
    const id = `sysv-shm:${entry.key}`;
    const created = entry.cpid !== undefined && ours.has(entry.cpid);
    if (shown(id) || (created && !hide.has(id))) object(id, "sysv-shm");
  }
  for (const entry of snapshot.sysvSem) {
    const id = `sysv-sem:${entry.key}`;
    if (shown(id)) object(id, "sysv-sem");
  }
  for (const entry of snapshot.sysvMsg ?? []) {
    const id = `sysv-msg:${entry.id}`;
    if (shown(id)) object(id, "sysv-msg");
  }

  dropRecreatedPipes(snapshot, processes, objects, hide);
  // A connection whose other end no process of the picture holds: that end, by its address.
  for (const obj of [...objects.values()]) {
    const inet = obj.kind === "socket" ? sockets.inet.get(Number(obj.id.slice(7))) : undefined;
    if (!inet || !connected(inet) || heldHere(inet.remote, inet.protocol, sockets)) continue;
    const id = `endpoint:${inet.protocol}:${endpointText(inet, inet.remote)}`;
    object(id, "endpoint");
    obj.endpoint = id;
  }
  const all = [...objects.values()];
  for (const obj of all) describe(obj, snapshot, processes, sockets, all);
  const order: ObjectKind[] = [
    "pipe",
    "fifo",
    "socket",
    "endpoint",
    "shm",
    "semaphore",
    "mapped-file",
    "mqueue",
    "sysv-shm",
    "sysv-sem",
    "sysv-msg",
  ];
  const sorted = [...objects.values()]
    .filter((o) => o.kind !== "endpoint")
    .sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.id.localeCompare(b.id));
  // Each endpoint right after the first connection to it, so the two are drawn side by side.
  const placed = new Set<string>();
  const ordered = sorted.flatMap((o) => {
    const end = o.endpoint ? objects.get(o.endpoint) : undefined;
    if (!end || placed.has(end.id)) return [o];
    placed.add(end.id);
    return [o, end];
  });
  return { processes, objects: ordered };
}

/**
 * After fork(), libuv (in the child, through pthread_atfork) replaces its
 * own signal pipe by a fresh one on the same descriptor numbers. That pipe
 * is the runtime's, like the parent's which the panel hides: hide the copy.
 */
function dropRecreatedPipes(
  snapshot: Snapshot,
  processes: ProcNode[],
  objects: Map<string, ObjNode>,
  hide: Set<string>,
): void {
  const root = snapshot.processes.find((p) => p.pid === snapshot.root);
  const hiddenPipeFds = new Set(
    (root?.fds ?? [])
      .filter((fd) => fd.target.startsWith("pipe:") && hide.has(fd.target))
      .map((fd) => fd.fd),
  );
  for (const obj of [...objects.values()]) {
    if (obj.kind !== "pipe" || obj.mappers.length > 0) continue;
    const holders = new Set([...obj.readers, ...obj.writers]);
    if (holders.size !== 1) continue;
    const proc = processes.find((p) => holders.has(p.pid));
    if (!proc || proc.relation === "root") continue;
    const slots = proc.slots.filter((slot) => slot.object === obj.id);
    if (!slots.every((slot) => hiddenPipeFds.has(slot.fd))) continue;
    proc.slots = proc.slots.filter((slot) => slot.object !== obj.id);
    proc.hidden += slots.length;
    objects.delete(obj.id);
  }
}

function describeInet(obj: ObjNode, snapshot: Snapshot, sockets: Sockets): boolean {
  let [a, b] = obj.id.slice(7).split("-").map(Number);
  // The end held first in the picture first: parents before children, a lower descriptor first.
  const first = (inode: number) => sockets.order.get(inode) ?? Infinity;
  if (b && first(b) < first(a!)) [a, b] = [b, a];
  const socket = sockets.inet.get(a!);
  if (!socket) return false;
  const other = b ? sockets.inet.get(b) : undefined;
  const proto = socket.protocol.toUpperCase();
  const local = endpointText(socket, socket.local);
  if (socket.state === "LISTEN") {
    obj.title = `TCP listener, port ${socket.local.port}`;
    obj.detail = [`socket:[${a}]`, `${local}, state LISTEN`, "accept() takes its connections"];
    return true;
  }
  if (other) {
    // Both ends held here: each end's address, and each end's state.
    const states = socket.state === other.state ? socket.state : `${socket.state} ⇄ ${other.state}`;
    obj.title =
      socket.protocol === "tcp" ? "TCP connection" : "UDP sockets connected to each other";
    obj.detail = [
      `socket:[${a}] ⇄ socket:[${b}]`,
      `${local} ⇄ ${endpointText(other, other.local)}`,
    ];
    if (socket.protocol === "tcp") obj.detail.push(`state ${states}`);
    return true;
  }
  if (socket.protocol === "udp") {
    obj.title = `UDP socket, port ${socket.local.port}`;
    obj.detail = [`socket:[${a}]`, `bound to ${local}`];
    obj.detail.push(
      connected(socket)
        ? `connected to ${endpointText(socket, socket.remote)}: send() goes there`
        : "unconnected: each sendto() names its peer",
    );
    return true;
  }
  obj.title = connected(socket) ? "TCP connection, peer outside" : `${proto} socket`;
  obj.detail = [`socket:[${a}]`];
  obj.detail.push(
    connected(socket) ? `${local} → ${endpointText(socket, socket.remote)}` : `bound to ${local}`,
  );
  obj.detail.push(`state ${socket.state}`);
  return true;
}

function describeEndpoint(obj: ObjNode, objects: ObjNode[], sockets: Sockets): void {
  const from = objects.find((o) => o.endpoint === obj.id);
  const socket = from ? sockets.inet.get(Number(from.id.slice(7))) : undefined;
  obj.title = "the peer, outside this picture";
  if (!socket) return;
  obj.detail = [`${socket.protocol.toUpperCase()} ${endpointText(socket, socket.remote)}`];
  const peer = peerOf(socket, sockets);
  obj.detail.push(
    peer ? `its socket:[${peer.inode}] is another process's` : "another host, or no socket here",
  );
}

function describe(
  obj: ObjNode,
  snapshot: Snapshot,
  processes: ProcNode[],
  sockets: Sockets,
  objects: ObjNode[] = [],
): void {
  const [kind, name] = [obj.kind, obj.id.slice(obj.id.indexOf(":") + 1)];
  const holders = obj.readers.length + obj.writers.length + obj.mappers.length;
  switch (kind) {
    case "pipe":
    case "fifo": {
      obj.title = kind === "pipe" ? "pipe" : "FIFO";
      obj.detail = [kind === "pipe" ? `pipe:[${name}]` : name];
      if (obj.readers.length === 0) obj.notes.push("no read end open: a write fails with EPIPE");
      else if (obj.writers.length === 0)
        obj.notes.push("no write end open: a read sees end of file");
      else {
        const both = obj.readers.filter((pid) => obj.writers.includes(pid));
        for (const pid of both) {
          const proc = processes.find((p) => p.pid === pid);
          if (proc) obj.notes.push(`pid ${pid} holds the write end too: no EOF`);
        }
      }
      break;
    }
    case "endpoint":
      describeEndpoint(obj, objects, sockets);
      break;
    case "socket": {
      if (describeInet(obj, snapshot, sockets)) break;
      const [a, b] = name.split("-").map(Number);
      const socket = sockets.unix.get(a!);
      obj.title = `unix ${socket?.type ?? "stream"} socket${b ? " pair" : ""}`;
      obj.detail = [b ? `socket:[${a}] ⇄ socket:[${b}]` : `socket:[${a}]`];
      if (socket?.path) obj.detail.push(socket.path);
      break;
    }
    case "shm":
    case "semaphore": {
      const entry = snapshot.shm.find((e) => e.name === name);
      obj.title = kind === "shm" ? `/dev/shm/${name}` : `semaphore /${name.slice(4)}`;
      obj.detail = entry
        ? [`${entry.size} bytes`]
        : ["unlinked: gone when the last holder lets go"];
      if (entry && holders === 0) obj.notes.push("nobody holds it: left behind until shm_unlink");
      break;
    }
    case "mqueue": {
      const entry = snapshot.mqueue.find((e) => e.name === name);
      obj.title = `message queue /${name}`;
      obj.detail = entry ? ["/dev/mqueue"] : ["unlinked"];
      if (entry && holders === 0) obj.notes.push("nobody holds it: left behind until mq_unlink");
      break;
    }
    case "sysv-shm": {
      const entry = snapshot.sysvShm.find((e) => e.key === name);
      obj.title = "System V segment";
      obj.detail = [`key ${name}`];
      if (entry?.size !== undefined)
        obj.detail.push(`${entry.size} bytes, ${entry.nattch ?? 0} attached`);
      if (entry && holders === 0) obj.notes.push("nobody attached: stays until shmctl(IPC_RMID)");
      break;
    }
    case "sysv-sem": {
      const entry = snapshot.sysvSem.find((e) => e.key === name);
      obj.title = "System V semaphore set";
      obj.detail = [`key ${name}`, `${entry?.nsems ?? 0} semaphores`];
      break;
    }
    case "mapped-file": {
      const file = snapshot.processes
        .flatMap((p) => p.files ?? [])
        .find((f) => fileId(f) === obj.id);
      obj.title = file?.path ?? name;
      obj.detail = [
        file?.size !== undefined ? `regular file, ${file.size} bytes` : "regular file",
        "MAP_SHARED: its page-cache pages, one copy",
      ];
      if (file?.deleted) obj.notes.push("unlinked: the file lives on while it is mapped");
      break;
    }
    case "sysv-msg": {
      const entry = snapshot.sysvMsg?.find((e) => String(e.id) === name);
      obj.title = "System V message queue";
      obj.detail = [entry?.key === "0x00000000" ? "key IPC_PRIVATE" : `key ${entry?.key ?? "?"}`];
      if (!entry) break;
      obj.detail.push(`${entry.qnum ?? 0} messages (${entry.cbytes ?? 0} bytes) waiting`);
      // The last sender and receiver outside the picture are named: the kernel knows no more.
      const ours = new Set(processes.map((p) => p.pid));
      for (const [pid, call] of [
        [entry.lspid, "msgsnd"],
        [entry.lrpid, "msgrcv"],
      ] as const)
        if (pid && !ours.has(pid))
          obj.detail.push(`last ${call} by pid ${pid}, not in this picture`);
      if (!entry.lspid && !entry.lrpid) obj.detail.push("no msgsnd or msgrcv yet");
      if (holders === 0) obj.notes.push("stays until msgctl(IPC_RMID), like every System V object");
      break;
    }
  }
}

/** What a process's state says, for the states a lesson is about (a running or sleeping process: nothing). */
export function stateNote(proc: Pick<ProcNode, "state">): string {
  switch (proc.state) {
    case "Z":
      return "zombie: exited, not yet waited for";
    case "T":
      return "stopped (T): by a signal, until SIGCONT";
    case "t":
      return "stopped (t): by its tracer";
    default:
      return "";
  }
}

/** The graph in words, for a terminal and for tests. */
export function describeGraph(graph: Graph): string {
  const lines: string[] = [];
  for (const proc of graph.processes) {
    const who = proc.relation === "root" ? "this process" : proc.relation;
    lines.push(
      `${who} pid ${proc.pid} (${proc.name})${stateNote(proc) ? ` ${stateNote(proc)}` : ""}`,
    );
    for (const slot of proc.slots)
      lines.push(`  ${slot.label}${slot.object ? ` -> ${slot.object}` : ""}`);
    for (const map of proc.maps)
      lines.push(`  mapped ${map}${proc.readOnly.includes(map) ? " read-only" : ""}`);
    for (const call of proc.lastCalls) lines.push(`  ${call.label} -> ${call.object}`);
    if (proc.hidden) lines.push("  (other descriptors not shown)");
  }
  for (const obj of graph.objects) {
    lines.push(`${obj.title}: ${obj.detail.join(", ")}`);
    for (const note of obj.notes) lines.push(`  ! ${note}`);
  }
  return lines.join("\n");
}
