// The IPC-state panel: its model read from the kernel for known set-ups (a
// pipe between this process and a forked child, an end left open, a zombie,
// an shm object), its drawing against a fixture, and its timer.
import { execFile } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, test, vi } from "vitest";
import {
  close,
  fork,
  ftruncate,
  MAP_SHARED,
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
  parseProcNetUnix,
  parseSsPeers,
  parseStat,
  parseSysv,
  type Snapshot,
} from "../lib/panel-snapshot.ts";
import { mask } from "../shared/notebook/mask.ts";

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

  test("what existed before the panel began is left out", () => {
    const [r] = piped();
    const panel = new Panel();
    const graph = panel.graph();
    expect(proc(graph, process.pid).slots.map((s) => s.fd)).not.toContain(r);
    expect(proc(graph, process.pid).hidden).toBeGreaterThan(0);
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

  test("/proc/sysvipc by its column names", () => {
    expect(
      parseSysv(
        "       key      shmid perms                  size  cpid  lpid nattch   uid\n" +
          "  1627389953          3   600                  4096  1234  1234      1     0\n",
      ),
    ).toEqual([{ key: "0x61000001", id: 3, size: 4096, cpid: 1234, nattch: 1 }]);
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
