// The sandbox's network: each kernel gets a network namespace of its own in
// which only `lo` exists, brought up by enter.py. A submission can listen on
// and connect to 127.0.0.1 / ::1 (A8's line server and its client processes),
// and reaches nothing outside: not this machine's loopback listeners, not
// its other addresses, not the internet, not its abstract Unix sockets.
import { createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { root } from "../../grader/src/assignments.ts";
import { resolveLimits } from "../../grader/src/limits.ts";
import { hiddenPaths, runInSandbox, type RunReport } from "../../grader/src/sandbox/run.ts";

const listeners: Server[] = [];
let accepted = 0;
const listen = (...args: [number, string] | [string]) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer((socket) => {
      accepted++;
      socket.destroy();
    });
    server.once("error", reject);
    server.listen(...(args as [number, string]), () => resolve(server));
    listeners.push(server);
  });
const hostAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
const abstractName = `\0ipc-lab-a3-net-${randomBytes(4).toString("hex")}`;
let report: RunReport;
const output = (id: string) => report.phases[0]!.cells.find((c) => c.id === id)!;

// Connects from inside the sandbox; prints the outcome as JSON.
const probe = (target: string) => `
import * as net from "node:net";
{
  const outcome = await new Promise<string>((resolve) => {
    const socket = net.connect(${target});
    socket.setTimeout(3000, () => { socket.destroy(); resolve("timeout"); });
    socket.once("connect", () => { socket.destroy(); resolve("connected"); });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
  console.log(JSON.stringify(outcome));
}`;

beforeAll(async () => {
  // This machine's listeners: on its loopback, on all its addresses, and an abstract Unix socket.
  const onLoopback = await listen(0, "127.0.0.1");
  const onAll = await listen(0, "0.0.0.0");
  await listen(abstractName);
  const port = (s: Server) => (s.address() as { port: number }).port;
  const cells = [
    {
      id: "interfaces",
      source: `import * as os from "node:os";\nconsole.log(JSON.stringify(Object.keys(os.networkInterfaces())));`,
    },
    {
      id: "loopback",
      source: `
import * as net from "node:net";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
{
  // A server here, and a client in another process: 127.0.0.1 and ::1 of the sandbox's own loopback.
  const seen: string[] = [];
  for (const host of ["127.0.0.1", "::1"]) {
    const server = net.createServer((socket) => socket.end("hello " + host + "\\n"));
    await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
    const port = (server.address() as net.AddressInfo).port;
    const client = "const s = require('node:net').connect(" + port + ", '" + host + "'); s.pipe(process.stdout);";
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", client], { timeout: 10000 });
    seen.push(stdout.trim());
    await new Promise((resolve) => server.close(resolve));
  }
  console.log(JSON.stringify(seen));
}`,
    },
    { id: "host-loopback", source: probe(`{ host: "127.0.0.1", port: ${port(onLoopback)} }`) },
    {
      id: "host-address",
      source: probe(`{ host: "${hostAddress ?? "192.0.2.1"}", port: ${port(onAll)} }`),
    },
    { id: "internet", source: probe(`{ host: "1.1.1.1", port: 53 }`) },
    { id: "host-abstract", source: probe(`{ path: ${JSON.stringify(abstractName)} }`) },
  ];
  report = await runInSandbox([{ name: "visible", prefix: [], tests: cells }], {
    root,
    limits: resolveLimits({ cellTimeout: 30, submissionTimeout: 120 }),
    support: [],
    hide: hiddenPaths(root),
  });
}, 300_000);

afterAll(() => {
  for (const server of listeners) server.close();
});

test("the kernel runs in a network namespace of its own, where only lo exists", () => {
  expect(report.sandbox.namespaces).toContain("--net");
  const cell = output("interfaces");
  expect(cell.status, cell.output).toBe("ok");
  expect(JSON.parse(cell.output.trim())).toEqual(["lo"]);
});

test("loopback works: a server in the kernel, a client in another process, IPv4 and IPv6", () => {
  const cell = output("loopback");
  expect(cell.status, cell.output).toBe("ok");
  expect(JSON.parse(cell.output.trim())).toEqual(["hello 127.0.0.1", "hello ::1"]);
});

test("nothing outside is reachable: this machine's loopback, its address, the internet, its abstract sockets", () => {
  const outcome = (id: string) => {
    const cell = output(id);
    expect(cell.status, `${id}: ${cell.output}`).toBe("ok");
    return JSON.parse(cell.output.trim()) as string;
  };
  // Its own 127.0.0.1 has nothing on that port: refused, though this machine listens there.
  expect(outcome("host-loopback")).toBe("ECONNREFUSED");
  // No route out of the namespace at all.
  expect(outcome("host-address")).toBe("ENETUNREACH");
  expect(outcome("internet")).toBe("ENETUNREACH");
  // Abstract Unix sockets belong to a network namespace too.
  expect(outcome("host-abstract")).toBe("ECONNREFUSED");
  expect(accepted).toBe(0);
});
