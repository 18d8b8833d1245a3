// The IPC-state panel: its model read from the kernel for known set-ups (a
// pipe between this process and a forked child, an end left open, a zombie,
// an shm object; TCP and UDP sockets with their peers, in this process, to a
// child, and to a process outside the picture; a file mapped MAP_SHARED by
// this process and C and Python children; a System V queue between C
// children and this process; a stopped child), its drawing against
// fixtures, and its timer. Sockets on port 0 only.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, test, vi } from "vitest";
import {
  close,
  fork,
  ftok,
  ftruncate,
  IPC_CREAT,
  IPC_RMID,
  MAP_SHARED,
  MappedFile,
  msgctl,
  msgget,
  msgrcv,
  msgsnd,
  mmap,
  munmap,
  Panel,
  pipe,
  PROT_READ,
  PROT_WRITE,
  Semaphore,
  shmOpen,
  shmUnlink,
  type Child,
} from "ipc-lab";
import { buildGraph, describeGraph, type Graph } from "../lib/panel-graph.ts";
import { renderSvg } from "../lib/panel-svg.ts";
import {
  formatAddress,
  parseInetEndpoint,
  parseProcNetInet,
  parseProcNetUnix,
  parseSsPeers,
  parseStat,
  parseSysv,
  readSnapshot,
  type Snapshot,
} from "../lib/panel-snapshot.ts";
import { mask } from "../shared/notebook/mask.ts";
import { binDir } from "./fixtures/programs.ts";

const fixtures = path.join(import.meta.dirname, "fixtures", "panel");
const cleanups: (() => void | Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function forked(routine: string, options: Parameters<typeof fork>[1] = {}): Child {
  const child = fork(routine, options);
  cleanups.push(async () => {
    await child[Symbol.asyncDispose]();
  });
  return child;
}

function piped(): [number, number] {
  const ends = pipe();
  const open = new Set(ends);
  cleanups.push(() => open.forEach((fd) => close(fd)));
  return [ends[0], ends[1]];
}

/** A TCP server on 127.0.0.1 (or every address, IPv6 and IPv4), port 0, closed after the test. */
async function tcpServer(
  host?: string,
  options: net.ServerOpts = {},
): Promise<[net.Server, number]> {
  const server = net.createServer(options);
  const accepted: net.Socket[] = [];
  server.on("connection", (socket) => accepted.push(socket));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        accepted.forEach((socket) => socket.destroy());
        server.close(resolve);
      }),
  );
  server.listen(0, host);
  await once(server, "listening");
  return [server, (server.address() as net.AddressInfo).port];
}

async function tcpClient(port: number): Promise<net.Socket> {
  const client = net.connect(port, "127.0.0.1");
  cleanups.push(() => void client.destroy());
  await once(client, "connect");
  return client;
}

/** The chapter's C date client, connected to 127.0.0.1:port: it reads until the server closes. */
function dateClient(port: number): ChildProcess {
  const child = spawn(path.join(binDir, "date_client"), ["127.0.0.1", String(port)], {
    stdio: "ignore",
  });
  const exited = once(child, "exit");
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  return child;
}

/** A folder of this test's own under /tmp, removed after it. */
function scratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-panel-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A program as a child, its stdout collected; killed (if still running) and awaited after the
 * test. `closed` settles once it has exited and its stdout is read to the end ('exit' can come
 * before the last of its output), listened for from the start, so no await can miss it.
 */
function started(
  command: string,
  args: string[],
): ChildProcess & { seen: () => string; closed: Promise<unknown> } {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk));
  const closed = once(child, "close");
  const exited = once(child, "exit");
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  return Object.assign(child, { seen: () => out, closed });
}

/** A System V queue removed after the test, unless the test (or its server) removed it. */
function removeQueueAfter(id: number): void {
  cleanups.push(() => {
    try {
      msgctl(id, IPC_RMID);
    } catch {
      // removed already
    }
  });
}

const socketsOf = (graph: Graph) => graph.objects.filter((o) => o.kind === "socket");
const titled = (graph: Graph, title: string) => graph.objects.filter((o) => o.title === title);
const pipeOf = (graph: Graph) => graph.objects.find((o) => o.kind === "pipe")!;
const proc = (graph: Graph, pid: number) => graph.processes.find((p) => p.pid === pid)!;

describe("the model, read from the kernel", () => {
  test("a pipe between this process and a forked child, joined by inode", async () => {
    const panel = new Panel();
    const [r, w] = piped();
    const child = forked("echo", { fds: { 0: r }, closeOthers: true });
    // Until the child has moved and closed its descriptors, it holds copies of all of them.
    const graph = await vi.waitFor(() => {
      const now = panel.graph();
      expect(pipeOf(now).writers).toEqual([process.pid]);
      return now;
    });
    const obj = pipeOf(graph);
    expect(graph.objects.filter((o) => o.kind === "pipe")).toHaveLength(1);
    expect(obj.detail).toEqual([expect.stringMatching(/^pipe:\[\d+\]$/)]);
    expect(obj.readers.sort()).toEqual([process.pid, child.pid].sort());
    expect(obj.writers).toEqual([process.pid]);
    expect(proc(graph, process.pid).slots.map((s) => s.label)).toEqual([
      `fd ${r} read end`,
      `fd ${w} write end`,
    ]);
    expect(proc(graph, child.pid)).toMatchObject({
      relation: "child",
      zombie: false,
      slots: [{ fd: 0, label: "fd 0 read end", role: "read", object: obj.id }],
    });
  });

  test("an end left open: the child holds the write end, so its read never sees EOF", async () => {
    const panel = new Panel();
    const [r, w] = pipe();
    try {
      const child = forked("echo", { fds: { 0: r } }); // inherits w too
      close(w);
      const graph = await vi.waitFor(() => {
        const now = panel.graph();
        expect(proc(now, child.pid).slots.map((s) => s.fd)).toContain(0);
        return now;
      });
      const obj = pipeOf(graph);
      expect(obj.writers).toEqual([child.pid]);
      expect(obj.notes).toContain(`pid ${child.pid} holds the write end too: no EOF`);
      expect(describeGraph(graph)).toContain(`fd ${w} write end -> ${obj.id}`);
    } finally {
      close(r);
    }
  });

  test("a child that exited and was not waited for is a zombie, until waitpid", async () => {
    const panel = new Panel();
    const child = forked("exit", { args: [0] });
    await vi.waitFor(() => expect(proc(panel.graph(), child.pid).zombie).toBe(true));
    expect(proc(panel.graph(), child.pid).slots).toEqual([]);
    expect(describeGraph(panel.graph())).toMatch(
      new RegExp(`^child pid ${child.pid} \\(.*\\) zombie: exited, not yet waited for$`, "m"),
    );
    await child.wait();
    expect(panel.graph().processes.map((p) => p.pid)).not.toContain(child.pid);
  });

  test("an shm object: held by a descriptor, then only mapped, then left behind", () => {
    const panel = new Panel();
    const name = `/test-panel-${process.pid.toString(16)}`;
    const fd = shmOpen(name, 0o100 | 0o2, 0o600);
    cleanups.push(() => {
      if (existsSync(`/dev/shm${name}`)) shmUnlink(name);
    });
    ftruncate(fd, 4096);
    const mapping = mmap(null, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
    const id = `shm:${name.slice(1)}`;
    let obj = panel.graph().objects.find((o) => o.id === id)!;
    expect(obj).toMatchObject({ kind: "shm", title: `/dev/shm${name}`, detail: ["4096 bytes"] });
    expect(obj.readers).toEqual([process.pid]);
    expect(obj.mappers).toEqual([process.pid]);
    close(fd);
    obj = panel.graph().objects.find((o) => o.id === id)!;
    expect(obj.readers).toEqual([]);
    expect(obj.mappers).toEqual([process.pid]);
    munmap(mapping);
    obj = panel.graph().objects.find((o) => o.id === id)!;
    expect(obj.notes).toEqual(["nobody holds it: left behind until shm_unlink"]);
    shmUnlink(name);
    expect(panel.graph().objects.find((o) => o.id === id)).toBeUndefined();
  });

  test("a semaphore from sem_open is drawn by its name, not by glibc's deleted temporary one", () => {
    const panel = new Panel();
    const name = `/test-panel-sem-${process.pid.toString(16)}`;
    const sem = Semaphore.open(name, { create: true, value: 1 });
    cleanups.push(() => {
      sem.close();
      if (existsSync(`/dev/shm/sem.${name.slice(1)}`)) Semaphore.unlink(name);
    });
    // What /proc/self/maps says: glibc mapped sem.XXXXXX, then renamed it by link + unlink.
    expect(readFileSync("/proc/self/maps", "utf8")).toMatch(/\/dev\/shm\/sem\.\w{6} \(deleted\)/);
    const graph = panel.graph();
    const obj = graph.objects.find((o) => o.id === `shm:sem.${name.slice(1)}`)!;
    expect(obj).toMatchObject({ kind: "semaphore", title: `semaphore ${name}` });
    expect(obj.mappers).toEqual([process.pid]);
    expect(graph.objects.filter((o) => o.kind === "semaphore")).toHaveLength(1);
  });

  test("a connected unix socket is drawn with its peer; the listening one alone", async () => {
    const panel = new Panel();
    const file = path.join(tmpdir(), `ipc-lab-panel-${process.pid}.sock`);
    const server = net.createServer().listen(file);
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    await once(server, "listening");
    const client = net.connect(file);
    cleanups.push(() => void client.destroy());
    await once(client, "connect");
    const sockets = panel.graph().objects.filter((o) => o.kind === "socket");
    expect(sockets.map((o) => o.title).sort()).toEqual([
      "unix stream socket",
      "unix stream socket pair",
    ]);
    expect(sockets.find((o) => o.title === "unix stream socket")!.detail).toContain(file);
    const pair = sockets.find((o) => o.title === "unix stream socket pair")!;
    expect(pair.detail[0]).toMatch(/^socket:\[\d+\] ⇄ socket:\[\d+\]$/);
    expect(pair.readers).toEqual([process.pid]);
  });

  test("a TCP listener and a connection it accepted, in this process: the listener by its port, the two ends joined", async () => {
    const panel = new Panel();
    // Every address: an IPv6 socket that takes IPv4 connections too (::ffff:127.0.0.1).
    const [server, port] = await tcpServer(undefined, { allowHalfOpen: true });
    const accepted = once(server, "connection");
    const client = await tcpClient(port);
    const [served] = (await accepted) as [net.Socket];
    const graph = panel.graph();
    const [listener] = titled(graph, `TCP listener, port ${port}`);
    expect(listener).toMatchObject({ readers: [process.pid], writers: [process.pid] });
    expect(listener!.detail).toEqual([
      expect.stringMatching(/^socket:\[\d+\]$/),
      `[::]:${port}, state LISTEN`,
      "accept() takes its connections",
    ]);
    const connections = titled(graph, "TCP connection");
    expect(connections).toHaveLength(1);
    const connection = connections[0]!;
    expect(connection.id).toMatch(/^socket:\d+-\d+$/);
    // Both ends are this process's: the lower descriptor's end first.
    const ends = proc(graph, process.pid)
      .slots.filter((s) => s.object === connection.id)
      .sort((a, b) => a.fd - b.fd)
      .map((s) => s.label.replace(/^fd \d+ TCP /, ""));
    expect(ends.slice().sort()).toEqual([
      `127.0.0.1:${client.localPort}`,
      `[::ffff:127.0.0.1]:${port}`,
    ]);
    expect(connection.detail).toEqual([
      expect.stringMatching(/^socket:\[\d+\] ⇄ socket:\[\d+\]$/),
      `${ends[0]} ⇄ ${ends[1]}`,
      "state ESTABLISHED",
    ]);
    // Both ends are slots of this process, each with its own address, into the one object.
    const slots = proc(graph, process.pid).slots.filter((s) => s.object === connection.id);
    expect(slots.map((s) => s.label.replace(/^fd \d+ /, "")).sort()).toEqual([
      `TCP 127.0.0.1:${client.localPort}`,
      `TCP [::ffff:127.0.0.1]:${port}`,
    ]);
    expect(describeGraph(graph)).toMatch(
      new RegExp(`^  fd \\d+ listening \\[::\\]:${port} -> ${listener!.id}$`, "m"),
    );

    // The client shuts its sending side: a FIN, and the two ends' states part.
    client.end();
    served.resume();
    await once(served, "end");
    await vi.waitFor(() =>
      expect(titled(panel.graph(), "TCP connection")[0]!.detail).toContain(
        ends[0]!.startsWith("127.0.0.1")
          ? "state FIN_WAIT2 ⇄ CLOSE_WAIT"
          : "state CLOSE_WAIT ⇄ FIN_WAIT2",
      ),
    );
  });

  test("a TCP connection between this process and a child (the C date client) is one object, held by both", async () => {
    const panel = new Panel();
    const [server, port] = await tcpServer("127.0.0.1");
    const accepted = once(server, "connection");
    const child = dateClient(port);
    const [served] = (await accepted) as [net.Socket];
    const graph = panel.graph();
    const connection = titled(graph, "TCP connection")[0]!;
    expect(connection).toBeDefined();
    expect(connection.readers.sort()).toEqual([process.pid, child.pid!].sort());
    expect(connection.detail).toContain(`127.0.0.1:${port} ⇄ 127.0.0.1:${served.remotePort}`);
    expect(connection.detail).toContain("state ESTABLISHED");
    expect(proc(graph, child.pid!)).toMatchObject({
      relation: "child",
      slots: [
        { label: `fd 3 TCP 127.0.0.1:${served.remotePort}`, object: connection.id, role: "rw" },
      ],
    });
    // Nothing of it is drawn as outside the picture.
    expect(graph.objects.filter((o) => o.kind === "endpoint")).toEqual([]);
    served.end("it is now\n");
    await once(child, "exit");
    expect(titled(panel.graph(), "TCP connection")).toEqual([]);
  });

  test("UDP sockets: one bound and unconnected, one connected to it", async () => {
    const panel = new Panel();
    const bound = dgram.createSocket("udp4");
    const sender = dgram.createSocket("udp4");
    cleanups.push(() => new Promise<void>((resolve) => bound.close(resolve)));
    cleanups.push(() => new Promise<void>((resolve) => sender.close(resolve)));
    bound.bind(0, "127.0.0.1");
    await once(bound, "listening");
    const port = bound.address().port;
    sender.connect(port, "127.0.0.1");
    await once(sender, "connect");
    const from = sender.address().port;
    const graph = panel.graph();
    expect(titled(graph, `UDP socket, port ${port}`)[0]!.detail).toEqual([
      expect.stringMatching(/^socket:\[\d+\]$/),
      `bound to 127.0.0.1:${port}`,
      "unconnected: each sendto() names its peer",
    ]);
    expect(titled(graph, `UDP socket, port ${from}`)[0]!.detail).toEqual([
      expect.stringMatching(/^socket:\[\d+\]$/),
      `bound to 127.0.0.1:${from}`,
      `connected to 127.0.0.1:${port}: send() goes there`,
    ]);
    // Its peer is in the picture (the bound one), not an endpoint outside.
    expect(graph.objects.filter((o) => o.kind === "endpoint")).toEqual([]);
    expect(proc(graph, process.pid).slots.map((s) => s.label.replace(/^fd \d+ /, ""))).toEqual(
      expect.arrayContaining([`UDP 127.0.0.1:${port}`, `UDP 127.0.0.1:${from}`]),
    );
  });

  test("a connection whose peer is outside the picture: an endpoint with the peer's address", async () => {
    const [server, port] = await tcpServer("127.0.0.1");
    const accepted = once(server, "connection");
    const child = dateClient(port);
    const [served] = (await accepted) as [net.Socket];
    // The picture of the child alone: this process, the server, is outside it.
    const graph = buildGraph(readSnapshot(child.pid!));
    expect(graph.processes.map((p) => p.pid)).toEqual([child.pid]);
    const connection = titled(graph, "TCP connection, peer outside")[0]!;
    expect(connection.detail).toEqual([
      expect.stringMatching(/^socket:\[\d+\]$/),
      `127.0.0.1:${served.remotePort} → 127.0.0.1:${port}`,
      "state ESTABLISHED",
    ]);
    const endpoint = graph.objects.find((o) => o.id === connection.endpoint)!;
    expect(endpoint).toMatchObject({
      kind: "endpoint",
      title: "the peer, outside this picture",
      detail: [
        `TCP 127.0.0.1:${port}`,
        expect.stringMatching(/^its socket:\[\d+\] is another process's$/),
      ],
      readers: [],
      writers: [],
    });
    // Drawn next to its connection, tied to it by the dashed line.
    expect(graph.objects.indexOf(endpoint)).toBe(graph.objects.indexOf(connection) + 1);
    expect(renderSvg(graph)).toMatch(
      /<path d="M740,[\d.]+ C754,[^"]+" stroke="#7b3fa0"[^>]*stroke-dasharray/,
    );
    served.end();
    await once(child, "exit");
  });

  test("a child in a network namespace of its own: its sockets read from its /proc/PID/net, not ours", async () => {
    const panel = new Panel();
    // unshare -n: a new, empty network namespace (gone with the process); Python listens there.
    const child = spawn(
      "unshare",
      [
        "-n",
        "python3",
        "-c",
        "import socket, sys\n" +
          "s = socket.socket(); s.bind(('', 0)); s.listen()\n" +
          "print(s.getsockname()[1], flush=True); sys.stdin.read()\n",
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    const exited = once(child, "exit");
    cleanups.push(async () => {
      child.stdin!.end(); // its read sees end of file: it exits
      await exited;
    });
    const [line] = (await once(child.stdout!, "data")) as [Buffer];
    const port = Number(line.toString().trim());
    expect(port).toBeGreaterThan(0);
    const graph = panel.graph();
    const [listener] = titled(graph, `TCP listener, port ${port}`);
    expect(listener).toBeDefined();
    expect(listener!.readers).toEqual([child.pid]);
    expect(listener!.detail).toContain(`0.0.0.0:${port}, state LISTEN`);
    // This process's namespace has no such socket: the panel read the child's view.
    const inode = Number(/^socket:\[(\d+)\]$/.exec(listener!.detail[0]!)![1]);
    const ours = parseProcNetInet(readFileSync("/proc/self/net/tcp", "utf8"), "tcp");
    expect(ours.map((s) => s.inode)).not.toContain(inode);
  });

  test("a file mapped MAP_SHARED by this process and by a C child is one object, by its inode; private mappings and binaries stay out", async () => {
    const panel = new Panel();
    const dir = scratch();
    const file = path.join(dir, "data.bin");
    const shared = MappedFile.create(file, 4096);
    cleanups.push(() => void (shared.closed || shared.close()));
    // A private (copy-on-write) mapping of another file: its stores never reach the file, not IPC.
    writeFileSync(path.join(dir, "private.bin"), Buffer.alloc(4096));
    const copy = MappedFile.open(path.join(dir, "private.bin"), { private: true });
    cleanups.push(() => void (copy.closed || copy.close()));
    // The chapter's C peer: maps the file MAP_SHARED, says ready, polls for "ping".
    const child = started(path.join(binDir, "mmap_pingpong"), [file, "ping", "pong"]);
    await vi.waitFor(() => expect(child.seen()).toContain("ready"));
    const graph = panel.graph();
    const files = graph.objects.filter((o) => o.kind === "mapped-file");
    expect(files).toHaveLength(1);
    const [obj] = files as [(typeof files)[0]];
    expect(obj).toMatchObject({
      title: file,
      detail: ["regular file, 4096 bytes", "MAP_SHARED: its page-cache pages, one copy"],
      notes: [],
    });
    expect(obj.id).toMatch(/^file:[0-9a-f]+:[0-9a-f]+:\d+$/);
    expect(obj.mappers.sort()).toEqual([process.pid, child.pid!].sort());
    // Neither the child's own binary and libc, nor this process's node and addon, are drawn.
    expect(proc(graph, child.pid!)).toMatchObject({
      relation: "child",
      maps: [obj.id],
      readOnly: [],
    });
    expect(proc(graph, process.pid).maps).toEqual([obj.id]);
    expect(describeGraph(graph)).toContain(`  mapped ${obj.id}
`);
    expect(renderSvg(graph)).toContain(">mapped data.bin<");

    shared.write(0, "ping\0");
    await once(child, "exit");
    expect(shared.readString(64)).toBe("pong");
    expect(panel.graph().objects.find((o) => o.id === obj.id)!.mappers).toEqual([process.pid]);
    shared.close();
    expect(panel.graph().objects.find((o) => o.id === obj.id)).toBeUndefined();
  });

  test("a Python child's read-only shared mapping, an unlinked mapped file, and glibc's shared caches (left out)", async () => {
    const panel = new Panel();
    const dir = scratch();
    const [data, gone] = [path.join(dir, "data.bin"), path.join(dir, "gone.bin")];
    writeFileSync(data, Buffer.alloc(4096));
    writeFileSync(gone, Buffer.alloc(4096));
    // What glibc's iconv maps MAP_SHARED read-only in many programs (or another system file).
    const system = [
      "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache",
      "/usr/lib/aarch64-linux-gnu/gconv/gconv-modules.cache",
      "/usr/lib/os-release",
    ].find((f) => existsSync(f))!;
    const child = started("python3", [
      "-c",
      "import mmap, os, sys\n" +
        "def m(p, access):\n" +
        "    with open(p, 'r+b' if access == mmap.ACCESS_WRITE else 'rb') as f:\n" +
        "        return mmap.mmap(f.fileno(), 0, access=access)\n" +
        "a = m(sys.argv[1], mmap.ACCESS_READ)\n" + // r--s
        "b = m(sys.argv[1], mmap.ACCESS_COPY)\n" + // MAP_PRIVATE
        "c = m(sys.argv[2], mmap.ACCESS_WRITE); os.unlink(sys.argv[2])\n" + // rw-s, then unlinked
        "d = m(sys.argv[3], mmap.ACCESS_READ)\n" +
        "print('ready', flush=True); sys.stdin.read()\n",
      data,
      gone,
      system,
    ]);
    cleanups.push(() => void child.stdin!.end());
    await vi.waitFor(() => expect(child.seen()).toContain("ready"));
    expect(existsSync(gone)).toBe(false);
    const graph = panel.graph();
    const files = graph.objects.filter((o) => o.kind === "mapped-file");
    expect(files.map((o) => o.title).sort()).toEqual([data, gone]);
    const [dataObj, goneObj] = [data, gone].map((t) => files.find((o) => o.title === t)!);
    expect(goneObj).toMatchObject({
      detail: ["regular file", "MAP_SHARED: its page-cache pages, one copy"],
      notes: ["unlinked: the file lives on while it is mapped"],
      mappers: [child.pid],
    });
    const python = proc(graph, child.pid!);
    expect(python.maps.sort()).toEqual([dataObj!.id, goneObj!.id].sort());
    expect(python.readOnly).toEqual([dataObj!.id]);
    expect(renderSvg(graph)).toContain(">mapped data.bin read-only<");
    // The system file really is mapped shared: the panel leaves it out on purpose.
    expect(readFileSync(`/proc/${child.pid}/maps`, "utf8")).toMatch(
      new RegExp(`r--s .* ${system.replace(/[.]/g, "\\.")}$`, "m"),
    );
  });

  test("a System V queue has no holder: the kernel's last sender and receiver are drawn, by lspid and lrpid", async () => {
    const panel = new Panel();
    const keyFile = path.join(scratch(), "key");
    writeFileSync(keyFile, "");
    // The chapter's C server creates the queue and waits in msgrcv for requests of type 1.
    const server = started(path.join(binDir, "msg_server"), [keyFile, "P"]);
    await vi.waitFor(() => expect(server.seen()).toMatch(/msqid \d+/));
    const id = Number(/msqid (\d+)/.exec(server.seen())![1]);
    removeQueueAfter(id);
    const objId = `sysv-msg:${id}`;
    // Nobody sent or received yet: nothing ties it to a process.
    const fresh = buildGraph(readSnapshot()).objects.find((o) => o.id === objId)!;
    expect(fresh).toMatchObject({ kind: "sysv-msg", title: "System V message queue", writers: [] });
    expect(fresh.detail).toEqual([
      `key 0x${(ftok(keyFile, "P") >>> 0).toString(16).padStart(8, "0")}`,
      "0 messages (0 bytes) waiting",
      "no msgsnd or msgrcv yet",
    ]);
    expect(panel.graph().objects.find((o) => o.id === objId)).toBeUndefined();

    // A request { int pid; char text[] } from this process; the server answers with type = pid.
    const request = (text: string) => {
      const body = Buffer.alloc(4 + text.length + 1);
      body.writeInt32LE(process.pid);
      body.write(text, 4);
      return body;
    };
    // The receive waits first: a reply handed to it at once is recorded by the thread that
    // waits (a library thread), the one taken from the queue later by this process.
    const reply = msgrcv(id, 128, process.pid, 0, { timeout: 10_000 });
    await msgsnd(id, 1, request("hello"));
    expect((await reply).data.toString()).toBe("HELLO\0");
    // The server sent last (its reply), this process received last (that reply).
    const graph = panel.graph();
    const queue = graph.objects.find((o) => o.id === objId)!;
    expect(queue).toMatchObject({ writers: [server.pid], readers: [process.pid], notes: [] });
    expect(queue.detail[1]).toBe("0 messages (0 bytes) waiting");
    expect(proc(graph, server.pid!).lastCalls).toEqual([
      { object: objId, label: "last msgsnd", role: "write" },
    ]);
    expect(proc(graph, process.pid).lastCalls).toEqual([
      { object: objId, label: "last msgrcv", role: "read" },
    ]);
    expect(describeGraph(graph)).toContain(`  last msgsnd -> ${objId}`);

    // A C client (a child too) asks; this process serves it: the last receiver is then the client.
    await msgsnd(id, 1, request("quit")); // the C server removes the queue and exits
    await server.closed;
    expect(panel.graph().objects.find((o) => o.id === objId)).toBeUndefined();
    const id2 = msgget(ftok(keyFile, "P"), IPC_CREAT | 0o600);
    removeQueueAfter(id2);
    const client = started(path.join(binDir, "msg_client"), [keyFile, "P", "ab"]);
    const req = await msgrcv(id2, 256, 1, 0, { timeout: 10_000 });
    await msgsnd(id2, req.data.readInt32LE(0), "AB\0");
    await client.closed;
    expect(client.seen()).toBe("reply: AB\n");
    const after = panel.graph().objects.find((o) => o.id === `sysv-msg:${id2}`)!;
    expect(after).toMatchObject({ writers: [process.pid], readers: [] });
    expect(after.detail).toContain(`last msgrcv by pid ${client.pid}, not in this picture`);
    msgctl(id2, IPC_RMID);
    // Removed: the kernel forgets it, and so does the picture.
    expect(panel.graph().objects.find((o) => o.id === `sysv-msg:${id2}`)).toBeUndefined();
  });

  test("a stopped child says so in its box, until SIGCONT", async () => {
    const panel = new Panel();
    const child = forked("sig-pause");
    child.kill("SIGSTOP");
    await vi.waitFor(() => expect(proc(panel.graph(), child.pid).state).toBe("T"));
    const graph = panel.graph();
    expect(describeGraph(graph)).toMatch(
      new RegExp(
        `^child pid ${child.pid} \\(.*\\) stopped \\(T\\): by a signal, until SIGCONT$`,
        "m",
      ),
    );
    expect(renderSvg(graph)).toContain(">stopped (T): by a signal, until SIGCONT<");
    child.kill("SIGCONT");
    await vi.waitFor(() => expect(proc(panel.graph(), child.pid).state).not.toBe("T"));
    expect(describeGraph(panel.graph())).not.toContain("stopped (T)");
    child.kill("SIGKILL");
  });

  test("what existed before the panel began is left out", () => {
    const [r] = piped();
    const panel = new Panel();
    const graph = panel.graph();
    expect(proc(graph, process.pid).slots.map((s) => s.fd)).not.toContain(r);
    expect(proc(graph, process.pid).hidden).toBeGreaterThan(0);
  });
});

/**
 * A stand-in for a Jupyter kernel, in Python: started with `--config-path FILE` as tslab is, it
 * listens on two ports, writes the first to FILE as its heartbeat port, prints both and then
 * accepts connections on both, saying "accepted N" after each.
 */
const KERNEL = `
import json, select, socket, sys
listeners = [socket.create_server(("127.0.0.1", 0)) for _ in range(2)]
ports = [s.getsockname()[1] for s in listeners]
with open(sys.argv[2], "w") as f:
    json.dump({"ip": "127.0.0.1", "hb_port": ports[0], "transport": "tcp"}, f)
print(*ports, flush=True)
accepted = []
while True:
    for s in select.select(listeners, [], [])[0]:
        accepted.append(s.accept()[0])
        print("accepted", len(accepted), flush=True)
`;

describe("the kernel's own sockets", () => {
  test("a Jupyter kernel's connections are left out, even one made after the panel began (a heartbeat's reconnect)", async () => {
    const config = path.join(scratch(), "kernel.json");
    const kernel = started("python3", ["-c", KERNEL, "--config-path", config]);
    await vi.waitFor(() => expect(kernel.seen()).toMatch(/^\d+ \d+\n/));
    const [heartbeat, other] = kernel.seen().split(/\s/).map(Number) as [number, number];
    const panel = new Panel({ pid: kernel.pid! });
    expect([...panel.jupyterPorts]).toEqual([heartbeat]);

    await tcpClient(heartbeat);
    await tcpClient(other);
    await vi.waitFor(() => expect(kernel.seen()).toContain("accepted 2"));
    const outside = (graph: Graph) => titled(graph, "TCP connection, peer outside");
    const shown = outside(panel.graph());
    expect(shown).toHaveLength(1);
    expect(shown[0]!.detail[1]).toMatch(new RegExp(`^127\\.0\\.0\\.1:${other} → `));
    expect(describeGraph(panel.graph())).not.toContain(`:${heartbeat}`);
    // all: true shows them: the connection on the heartbeat port too.
    expect(outside(new Panel({ pid: kernel.pid!, all: true }).graph())).toHaveLength(2);
    // Not a kernel: nothing is left out for its ports.
    expect(new Panel().jupyterPorts.size).toBe(0);
  });
});

describe("reading the kernel's views", () => {
  test("/proc/PID/stat with spaces and parentheses in the name", () => {
    expect(parseStat("42 (a (b) c) Z 7 42 42 0 -1")).toEqual({ pid: 42, ppid: 7, state: "Z" });
  });

  test("/proc/net/unix and ss -x give sockets and their peers", () => {
    expect(
      parseProcNetUnix(
        "Num       RefCount Protocol Flags    Type St Inode Path\n" +
          "0000000000000000: 00000002 00000000 00010000 0001 01 5001 /run/demo.sock\n" +
          "0000000000000000: 00000003 00000000 00000000 0002 03 5002\n",
      ),
    ).toEqual([
      { inode: 5001, type: "stream", path: "/run/demo.sock" },
      { inode: 5002, type: "dgram", path: "" },
    ]);
    expect(
      parseSsPeers(
        "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n" +
          "u_str ESTAB 0      0      * 173615            * 175852\n" +
          "u_str LISTEN 0     4096   /run/demo.sock 5001 * 0\n",
      ),
    ).toEqual(new Map([[173615, 175852]]));
  });

  test("/proc/net/tcp's addresses: 32-bit words in the host's byte order, ports in hex", () => {
    expect(parseInetEndpoint("0100007F:1F90", true)).toEqual({ address: "127.0.0.1", port: 8080 });
    expect(parseInetEndpoint("7F000001:0050", false)).toEqual({ address: "127.0.0.1", port: 80 });
    expect(parseInetEndpoint("00000000000000000000000001000000:0016", true)).toEqual({
      address: "::1",
      port: 22,
    });
    expect(parseInetEndpoint("0000000000000000FFFF00000100007F:A3F1", true)).toEqual({
      address: "::ffff:127.0.0.1",
      port: 0xa3f1,
    });
    expect(() => parseInetEndpoint("nonsense:0")).toThrow(/not an address of \/proc\/net/);
    const ip6 = (s: string) => formatAddress(Buffer.from(s.replace(/:/g, ""), "hex"));
    expect(ip6("2001:0db8:0000:0000:0000:0000:0000:0001")).toBe("2001:db8::1");
    expect(ip6("2001:0db8:0000:0001:0001:0001:0001:0001")).toBe("2001:db8:0:1:1:1:1:1");
    expect(ip6("2001:0db8:0000:0000:0001:0000:0000:0001")).toBe("2001:db8::1:0:0:1");
    expect(ip6("0000:0000:0000:0000:0000:0000:0000:0000")).toBe("::");
    expect(
      parseProcNetInet(
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
          "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5001 1 0 100 0 0 10 0\n" +
          "   1: 0100007F:1F90 0100007F:C350 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0\n",
        "tcp",
      ).map((s) => [s.inode, s.family, s.state, s.remote.port]),
    ).toEqual([
      [5001, 4, "LISTEN", 0],
      [0, 4, "TIME_WAIT", 50000],
    ]);
  });

  test("/proc/sysvipc by its column names", () => {
    expect(
      parseSysv(
        "       key      shmid perms                  size  cpid  lpid nattch   uid\n" +
          "  1627389953          3   600                  4096  1234  1234      1     0\n",
      ),
    ).toEqual([{ key: "0x61000001", id: 3, size: 4096, cpid: 1234, nattch: 1 }]);
  });

  test("/proc/sysvipc/msg: a queue whose last sender and receiver are outside the picture names them and is left behind", () => {
    const [queue] = parseSysv(
      "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n" +
        "         0          7   600          12          2  4001  4002     0     0     0     0 1700000000 1700000001 1700000000\n",
    );
    expect(queue).toEqual({
      key: "0x00000000",
      id: 7,
      cbytes: 12,
      qnum: 2,
      lspid: 4001,
      lrpid: 4002,
    });
    const snapshot: Snapshot = {
      root: 10,
      processes: [{ pid: 10, ppid: 1, state: "S", name: "node", maps: [], fds: [] }],
      unix: [],
      shm: [],
      mqueue: [],
      sysvShm: [],
      sysvSem: [],
      sysvMsg: [queue!],
    };
    expect(buildGraph(snapshot).objects).toEqual([
      expect.objectContaining({
        id: "sysv-msg:7",
        title: "System V message queue",
        detail: [
          "key IPC_PRIVATE",
          "2 messages (12 bytes) waiting",
          "last msgsnd by pid 4001, not in this picture",
          "last msgrcv by pid 4002, not in this picture",
        ],
        notes: ["stays until msgctl(IPC_RMID), like every System V object"],
        writers: [],
        readers: [],
      }),
    ]);
    // The live panel shows it only once a process of its picture used it (keep), never hidden ones.
    expect(buildGraph(snapshot, { keep: new Set() }).objects).toEqual([]);
    expect(buildGraph(snapshot, { hide: new Set(["sysv-msg:7"]) }).objects).toEqual([]);
  });

  test("a unix socket pair is one object, with both inodes", () => {
    const snapshot: Snapshot = {
      root: 10,
      processes: [
        {
          pid: 10,
          ppid: 1,
          state: "S",
          name: "node",
          maps: [],
          fds: [
            { fd: 3, target: "socket:[7]", mode: "rw" },
            { fd: 4, target: "socket:[8]", mode: "rw" },
          ],
        },
      ],
      unix: [
        { inode: 7, peer: 8, path: "", type: "stream" },
        { inode: 8, peer: 7, path: "", type: "stream" },
      ],
      shm: [],
      mqueue: [],
      sysvShm: [],
      sysvSem: [],
    };
    const graph = buildGraph(snapshot);
    expect(graph.objects).toMatchObject([
      { id: "socket:7-8", title: "unix stream socket pair", detail: ["socket:[7] ⇄ socket:[8]"] },
    ]);
  });
});

describe("the drawing", () => {
  const recorded = JSON.parse(readFileSync(path.join(fixtures, "pipe-fork.json"), "utf8")) as {
    hide: string[];
    snapshot: Snapshot;
  };
  const graph = () => buildGraph(recorded.snapshot, { hide: new Set(recorded.hide) });

  test("a recorded set-up (pipe, an end left open, a zombie, an shm mapping) draws as the fixture", () => {
    const svg = renderSvg(graph(), "pipe-fork");
    const file = path.join(fixtures, "pipe-fork.svg");
    if (process.env.UPDATE_FIXTURES) writeFileSync(file, svg);
    expect(svg).toBe(readFileSync(file, "utf8"));
  });

  test("a recorded set-up with sockets (a listener, a connection to a C child, UDP, a peer outside) draws as the fixture", () => {
    const sockets = JSON.parse(readFileSync(path.join(fixtures, "sockets.json"), "utf8")) as {
      hide: string[];
      snapshot: Snapshot;
    };
    const graph = buildGraph(sockets.snapshot, { hide: new Set(sockets.hide) });
    // The unix pair is the Python server's stdout, a socketpair as Node makes them for a child.
    expect(graph.objects.map((o) => o.title.replace(/\d+$/, "N")).sort()).toEqual([
      "TCP connection",
      "TCP connection, peer outside",
      "TCP listener, port N",
      "UDP socket, port N",
      "the peer, outside this picture",
      "unix stream socket pair",
    ]);
    const outside = graph.objects.findIndex((o) => o.title === "TCP connection, peer outside");
    expect(graph.objects[outside + 1]!.kind).toBe("endpoint");
    const svg = renderSvg(graph, "sockets");
    const file = path.join(fixtures, "sockets.svg");
    if (process.env.UPDATE_FIXTURES) writeFileSync(file, svg);
    expect(svg).toBe(readFileSync(file, "utf8"));
  });

  test("a recorded set-up with a mapped file, a System V queue and a stopped child draws as the fixture", () => {
    const files = JSON.parse(readFileSync(path.join(fixtures, "files-queues.json"), "utf8")) as {
      hide: string[];
      snapshot: Snapshot;
    };
    const graph = buildGraph(files.snapshot, { hide: new Set(files.hide) });
    // One file for the three that map it (the stopped child inherited the mapping at fork); the
    // unix pairs are the C children's stdio, socketpairs as Node makes them for a child.
    expect(
      graph.objects
        .filter((o) => o.kind !== "socket")
        .map((o) => [o.kind, o.mappers.length, o.writers.length, o.readers.length]),
    ).toEqual([
      ["mapped-file", 3, 0, 0],
      ["sysv-msg", 0, 1, 1],
    ]);
    expect(graph.processes.map((p) => p.state)).toContain("T");
    const svg = renderSvg(graph, "files-queues");
    const file = path.join(fixtures, "files-queues.svg");
    if (process.env.UPDATE_FIXTURES) writeFileSync(file, svg);
    expect(svg).toBe(readFileSync(file, "utf8"));
    // Masked, it does not depend on the pids, inodes and the queue's id.
    const shifted = JSON.parse(
      JSON.stringify(files).replace(/\b\d{5,}\b/g, (n) => String(Number(n) * 10 + 7)),
    ) as typeof files;
    expect(JSON.stringify(shifted)).not.toBe(JSON.stringify(files));
    const draw = (f: typeof files) =>
      mask(renderSvg(buildGraph(f.snapshot, { hide: new Set(f.hide) })));
    expect(draw(shifted)).toBe(draw(files));
  });

  test("the picture does not depend on the digits of pids and inodes, once masked", () => {
    const shifted = JSON.parse(
      JSON.stringify(recorded.snapshot).replace(/\b\d{5,}\b/g, (n) => String(Number(n) * 10 + 7)),
    ) as Snapshot;
    const hide = new Set(
      recorded.hide.map((h) => h.replace(/\b\d{5,}\b/g, (n) => String(Number(n) * 10 + 7))),
    );
    const a = mask(renderSvg(graph()));
    const b = mask(renderSvg(buildGraph(shifted, { hide })));
    expect(b).toBe(a);
    expect(a).not.toMatch(/pid \d/);
  });

  test("nor, with sockets, on the ports the kernel picked", () => {
    const sockets = readFileSync(path.join(fixtures, "sockets.json"), "utf8");
    // Ports (and the pids of five digits) to others, some of four digits; inodes longer.
    const shift = (text: string) =>
      text.replace(/\b\d{5,}\b/g, (n) =>
        String(Number(n) < 65536 ? 65535 - Number(n) : Number(n) * 10 + 7),
      );
    const draw = (text: string) => {
      const { hide, snapshot } = JSON.parse(text) as { hide: string[]; snapshot: Snapshot };
      return mask(renderSvg(buildGraph(snapshot, { hide: new Set(hide) })));
    };
    expect(shift(sockets)).not.toBe(sockets);
    expect(draw(shift(sockets))).toBe(draw(sockets));
    expect(draw(sockets)).not.toMatch(/(:|port |pid )\d/);
  });
});

describe("the live panel", () => {
  test("redraws only when the picture changed, and its timer stops when nothing changes", async () => {
    const drawn: string[] = [];
    const panel = new Panel({ display: { svg: (s) => drawn.push(s) }, interval: 5, idle: 30 });
    panel.refresh();
    expect(drawn).toHaveLength(1);
    expect(panel.running).toBe(true);
    const [r] = piped();
    await vi.waitFor(() => expect(drawn).toHaveLength(2));
    expect(drawn[1]).toContain(`fd <tspan class="fd">${r}</tspan> read end`);
    await vi.waitFor(() => expect(panel.running).toBe(false));
    const draws = panel.draws;
    panel.stop();
    expect(panel.draws).toBe(draws);
  });

  test("a running panel does not keep the process alive", async () => {
    const script =
      'const { Panel } = require("ipc-lab");' +
      "const p = new Panel({ display: { svg() {} }, idle: 3600000 }); p.refresh();" +
      'console.log(p.running ? "running" : "stopped");';
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], {
      cwd: path.join(import.meta.dirname, ".."),
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe("running");
  });
});
