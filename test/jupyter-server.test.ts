// `npm start` really serves JupyterLab with the TypeScript kernel: start it
// as a newcomer would (on a free port, no browser), then drive the server
// over REST and the kernel WebSocket with JupyterLab's own client library to
// run chapter 00 cell by cell; finally stop the server. Then: stopping the
// course (Ctrl+C, SIGTERM, a closed terminal) with a kernel running leaves
// no process behind.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync, readdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { setChildSubreaper, waitpidSync, type WaitStatus } from "ipc-lab";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { KernelManager, KernelSpecAPI, ServerConnection, type Kernel } from "@jupyterlab/services";
import { readNotebook } from "../shared/notebook/execute.ts";
import { text } from "../shared/notebook/format.ts";
import { withChapterLock } from "./fixtures/chapter-lock.ts";

const root = path.resolve(import.meta.dirname, "..");
let server: ChildProcess;
let settings: ServerConnection.ISettings;

async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as net.AddressInfo;
  probe.close();
  return port;
}

/** Resolves with the URL that `npm start` announces, or rejects if it exits first. */
function announcedUrl(child: ChildProcess): Promise<URL> {
  let log = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const match = /ipc-lab: JupyterLab is running at (\S+)/.exec(log);
      if (match) resolve(new URL(match[1]!));
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${log}`)));
  });
}

/**
 * Starts the course on a free port without a browser, as `npm start` or as
 * `node scripts/start.mjs`, in a process group of its own (so that the test
 * can signal it as a terminal signals its foreground job).
 */
async function startCourse(how: "npm" | "node"): Promise<{
  child: ChildProcess;
  url: URL;
  settings: ServerConnection.ISettings;
  output: { text: string };
}> {
  const output = { text: "" };
  const port = await freePort();
  const options = ["--port", String(port), "--no-browser", "--ServerApp.port_retries=0"];
  const child =
    how === "npm"
      ? spawn("npm", ["start", "--", ...options], {
          cwd: root,
          stdio: ["ignore", "pipe", "pipe"],
          detached: true,
        })
      : spawn(process.execPath, ["scripts/start.mjs", "--", ...options], {
          cwd: root,
          stdio: ["ignore", "pipe", "pipe"],
          detached: true,
        });
  spawned.add(child.pid!);
  child.stdout!.on("data", (chunk: Buffer) => (output.text += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output.text += chunk.toString()));
  const url = await announcedUrl(child);
  expect(url.port).toBe(String(port));
  // The address JupyterLab listens on, not a name that may resolve to ::1 first.
  const host = `127.0.0.1:${url.port}`;
  const settings = ServerConnection.makeSettings({
    baseUrl: `http://${host}/`,
    wsUrl: `ws://${host}/`,
    token: url.searchParams.get("token")!,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  return { child, url, settings, output };
}

beforeAll(async () => {
  ({ child: server, settings } = await startCourse("npm"));
});

afterAll(async () => {
  if (!server?.pid) return;
  // 'close' comes once every process of the group has exited and closed the
  // output pipes they share: npm, start.mjs and JupyterLab.
  const closed = once(server, "close");
  process.kill(-server.pid, "SIGINT"); // as Ctrl+C in a terminal does
  await closed;
  // npm may end before the sh it ran has been reaped: this (subreaper)
  // process then inherits it, and reaps it.
  await until(
    () => {
      reapAdopted();
      return !allProcs().some((proc) => proc.ppid === process.pid && proc.state === "Z");
    },
    10_000,
    "reaping",
  ).catch(() => {});
});

test("the server offers the TypeScript kernel registered in .venv", async () => {
  const specs = await KernelSpecAPI.getSpecs(settings);
  expect(specs.kernelspecs.tslab?.language).toBe("typescript");
  expect(specs.kernelspecs.tslab?.resources).toBeDefined();
});

/** Rejects if `promise` has not settled within `ms` (a guard, not a wait). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/**
 * About one tslab start in 30 hangs while binding its sockets: a kernel
 * that does not answer kernel_info in 20 s is shut down and started again, once
 * (as is a start request that fails).
 */
async function startKernel(kernels: KernelManager): Promise<Kernel.IKernelConnection> {
  for (let attempt = 1; ; attempt++) {
    let kernel: Kernel.IKernelConnection;
    try {
      kernel = await kernels.startNew({ name: "tslab" });
    } catch (error) {
      // A server that has just announced itself sometimes drops the first request.
      if (attempt === 2) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      continue;
    }
    try {
      await within(kernel.info, 20_000, "kernel_info"); // resolves once the WebSocket is up
      return kernel;
    } catch (error) {
      await kernel.shutdown().catch(() => {});
      if (attempt === 2) throw error;
    }
  }
}

test(
  "chapter 00 runs cell by cell in a kernel started through the server",
  () =>
    // Not at the same time as the other tests that run chapter 00: its objects have fixed names.
    withChapterLock("00-welcome.ipynb", async () => {
      const kernels = new KernelManager({ serverSettings: settings });
      const kernel = await startKernel(kernels);
      try {
        const notebook = await readNotebook(path.join(root, "notebooks", "00-welcome.ipynb"));
        let stdout = "";
        for (const cell of notebook.cells) {
          if (cell.cell_type !== "code") continue;
          const future = kernel.requestExecute({ code: text(cell.source) });
          future.onIOPub = (message) => {
            const content = message.content as { name?: string; text?: string };
            if (message.header.msg_type === "stream" && content.name === "stdout") {
              stdout += content.text;
            }
          };
          const reply = await future.done;
          expect(reply.content.status, `cell: ${text(cell.source).slice(0, 80)}`).toBe("ok");
        }
        expect(stdout).toMatch(/child +pid=\d+: value = 20/);
        expect(stdout).toMatch(/parent pid=\d+: value = 5/);
        expect(stdout).toContain("awaits still pending: 0");
      } finally {
        await kernel.shutdown();
        kernels.dispose();
      }
    }),
  // It may first wait for another test file's run of chapter 00 to end.
  240_000,
);

interface Proc {
  pid: number;
  ppid: number;
  state: string;
  start: string;
  command: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
    return { pid, ppid: Number(fields[1]), state: fields[0]!, start: fields[19]!, command };
  } catch {
    return undefined; // no such process (any more)
  }
}

function allProcs(): Proc[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readProc(Number(entry)))
    .filter((proc): proc is Proc => proc !== undefined);
}

/** The processes below `pid`, now. */
function descendantsOf(pid: number): Proc[] {
  const procs = allProcs();
  const found: Proc[] = [];
  let parents = new Set([pid]);
  while (parents.size > 0) {
    const next = new Set<number>();
    for (const proc of procs) {
      if (parents.has(proc.ppid)) {
        found.push(proc);
        next.add(proc.pid);
      }
    }
    parents = next;
  }
  return found;
}

/** True while the process that was `proc` runs (a zombie has ended; pids are reused). */
function running(proc: Proc): boolean {
  const now = readProc(proc.pid);
  return now !== undefined && now.start === proc.start && now.state !== "Z";
}

/** Node's own children (Node reaps them itself, and reports how they ended). */
const spawned = new Set<number>();

/** Reaps the zombies re-parented to this test process (it is a subreaper). */
function reapAdopted(): Map<number, WaitStatus> {
  const reaped = new Map<number, WaitStatus>();
  for (const proc of allProcs()) {
    if (proc.ppid !== process.pid || proc.state !== "Z" || spawned.has(proc.pid)) continue;
    const status = waitpidSync(proc.pid, { noHang: true });
    if (status) reaped.set(proc.pid, status);
  }
  return reaped;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done()` is true; rejects after `ms` (a guard, not a measurement). */
async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(50);
  }
}

describe("stopping the course stops everything it started", () => {
  // Whatever the start script leaves orphaned comes here, not to init: the
  // test sees it (and reaps it) instead of losing track of it.
  beforeAll(() => setChildSubreaper(true));

  const cases = [
    {
      name: "Ctrl+C (SIGINT to npm start's process group)",
      how: "npm",
      signal: "SIGINT",
      group: true,
    },
    { name: "SIGTERM to the start script", how: "node", signal: "SIGTERM", group: false },
    {
      name: "a closed terminal (SIGHUP to npm start's process group)",
      how: "npm",
      signal: "SIGHUP",
      group: true,
    },
  ] as const;

  test.each(cases)("$name", { timeout: 120_000 }, async ({ how, signal, group }) => {
    const watched: Proc[] = [];
    let child: ChildProcess | undefined;
    try {
      var course = await startCourse(how);
      child = course.child;
      const kernels = new KernelManager({ serverSettings: course.settings });
      const kernel = await startKernel(kernels);
      // The notebook process starts a child of its own, in a session of its
      // own: neither the kernel's process group nor JupyterLab's holds it.
      let stdout = "";
      const future = kernel.requestExecute({
        code:
          'import { spawn } from "node:child_process";\n' +
          'const sleeper = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });\n' +
          "sleeper.unref();\n" +
          "console.log(`sleeper ${sleeper.pid}`);\n",
      });
      future.onIOPub = (message) => {
        const content = message.content as { name?: string; text?: string };
        if (message.header.msg_type === "stream") stdout += content.text;
      };
      expect((await future.done).content.status).toBe("ok");
      const sleeperPid = Number(/sleeper (\d+)/.exec(stdout)?.[1]);

      const below = descendantsOf(child.pid!);
      // npm runs the script through sh -c "node scripts/start.mjs ...".
      const script =
        how === "node"
          ? readProc(child.pid!)
          : below.find((proc) => /^\S*node scripts\/start\.mjs/.test(proc.command));
      const lab = below.find((proc) => /\bjupyter-lab\b/.test(proc.command));
      const kernelProc = below.find(
        (proc) => proc.command.includes("tslab kernel") && proc.command.includes(kernel.id),
      );
      const sleeper = readProc(sleeperPid);
      kernel.dispose();
      kernels.dispose();
      watched.push(...below);
      if (how === "node" && script) watched.push(script);
      if (sleeper) watched.push(sleeper);
      expect(script, "the start script").toBeDefined();
      expect(lab, "JupyterLab").toBeDefined();
      expect(kernelProc, "the tslab kernel").toBeDefined();
      expect(sleeper?.command, "the notebook's child").toBe("sleep 600");

      const exited = once(child, "exit");
      process.kill(group ? -child.pid! : script!.pid, signal);
      // Every process the course started ends (a zombie has ended: its parent
      // reaps it), and the start script ends of the signal it was sent.
      let scriptStatus: WaitStatus | undefined;
      await until(
        () => {
          const reaped = reapAdopted();
          scriptStatus ??= reaped.get(script!.pid);
          return watched.every((proc) => !running(proc));
        },
        60_000,
        "all of the course's processes end",
      );
      const [code, topSignal] = await exited;
      expect({ code, signal: topSignal }, course.output.text).toEqual({ code: null, signal });
      if (scriptStatus) expect(scriptStatus).toMatchObject({ kind: "killed", signal });
      // Nothing of it was re-parented to this test and left running.
      const left = allProcs().filter(
        (proc) => proc.ppid === process.pid && proc.state !== "Z" && !spawned.has(proc.pid),
      );
      expect(left).toEqual([]);
    } finally {
      // Whatever is left, even when the test failed: kill it, then reap it.
      for (const proc of watched) {
        if (running(proc)) process.kill(proc.pid, "SIGKILL");
      }
      if (child?.pid && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // The group is gone.
        }
      }
      // Reap what was re-parented here, until none of it is left as a zombie.
      await until(
        () => {
          reapAdopted();
          return watched.every((proc) => readProc(proc.pid)?.start !== proc.start);
        },
        10_000,
        "clean-up",
      ).catch(() => {});
    }
  });
});
