// `npm start` really serves JupyterLab with the TypeScript kernel: start it
// as a newcomer would (on a free port, no browser), then drive the server
// over REST and the kernel WebSocket with JupyterLab's own client library to
// run chapter 00 cell by cell; finally stop the server.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import WebSocket from "ws";
import { KernelManager, KernelSpecAPI, ServerConnection, type Kernel } from "@jupyterlab/services";
import { readNotebook } from "../scripts/notebooks/execute.ts";
import { text } from "../scripts/notebooks/format.ts";

const root = path.resolve(import.meta.dirname, "..");
let server: ChildProcess;
let settings: ServerConnection.ISettings;
let log = "";

async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as net.AddressInfo;
  probe.close();
  return port;
}

/** Resolves with the URL that `npm start` announces, or rejects if it exits first. */
function announcedUrl(child: ChildProcess): Promise<URL> {
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

beforeAll(async () => {
  const port = await freePort();
  server = spawn(
    "npm",
    ["start", "--", "--port", String(port), "--no-browser", "--ServerApp.port_retries=0"],
    // Its own process group: npm, start.mjs and JupyterLab stop together.
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  const url = await announcedUrl(server);
  expect(url.port).toBe(String(port));
  settings = ServerConnection.makeSettings({
    baseUrl: `${url.origin}/`,
    wsUrl: `ws://${url.host}/`,
    token: url.searchParams.get("token")!,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
});

afterAll(async () => {
  if (!server?.pid) return;
  // 'close' comes once every process of the group has exited and closed the
  // output pipes they share: npm, start.mjs and JupyterLab.
  const closed = once(server, "close");
  process.kill(-server.pid, "SIGINT"); // as Ctrl+C in a terminal does
  await closed;
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
 * that does not answer kernel_info in 20 s is shut down and started again, once.
 */
async function startKernel(kernels: KernelManager): Promise<Kernel.IKernelConnection> {
  for (let attempt = 1; ; attempt++) {
    const kernel = await kernels.startNew({ name: "tslab" });
    try {
      await within(kernel.info, 20_000, "kernel_info"); // resolves once the WebSocket is up
      return kernel;
    } catch (error) {
      await kernel.shutdown().catch(() => {});
      if (attempt === 2) throw error;
    }
  }
}

test("chapter 00 runs cell by cell in a kernel started through the server", async () => {
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
});
