// Chapter 08's programs across processes, in every direction: the lecture's
// Java DateServer/DateClient, the C date_server/date_client, udp_echo and
// unix_fd_recv, Python's socket module, and the TypeScript versions through
// the library. A concurrent TypeScript line server survives client faults
// (a reset, a request cut off, a client that never reads) and serves 1000
// clients open at once. Every server listens on port 0.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import {
  binDir,
  close,
  DatagramSocket,
  type Descriptor,
  pendingWaits,
  pipe,
  read,
  ServerSocket,
  Socket,
} from "ipc-lab";

const fixtures = path.join(import.meta.dirname, "fixtures");
const javaDir = path.join(binDir, "..", "java");
const hasJava = existsSync(path.join(javaDir, "DateServer.class"));
const children: ChildProcess[] = [];
const owners: Descriptor[] = [];
const dirs: string[] = [];
// Java's Date.toString() and C's strftime("%a %b %d %H:%M:%S %Z %Y"), Python's ctime().
const DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d /;

afterEach(() => {
  for (const owner of owners.splice(0)) owner.close();
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  expect(pendingWaits()).toBe(0);
});

function own<T extends Descriptor>(owner: T): T {
  owners.push(owner);
  return owner;
}

interface Started {
  /** The port from the program's "… port N" line. */
  port: Promise<number>;
  /** Its end: exit code and everything it printed. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts a peer program; its port (from its first line) and its end are promises (events, not time). */
function start(
  command: string,
  args: string[],
  extra: (number | "ignore" | "pipe")[] = [],
): Started {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe", ...extra] as never });
  children.push(child);
  let stdout = "";
  let stderr = "";
  let found: (port: number) => void;
  let failed: (error: Error) => void;
  const port = new Promise<number>((resolve, reject) => ((found = resolve), (failed = reject)));
  port.catch(() => {}); // a client prints no port: only an awaited port may fail
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    const match = /port (\d+)/.exec(stdout);
    if (match) found(Number(match[1]));
  });
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => {
        failed(new Error(`${command} ended before printing its port: ${stderr}`));
        resolve({ code, stdout, stderr });
      });
    },
  );
  return { port, done };
}

/** The TypeScript DateServer, line for line the lecture's Java (one client at a time). */
async function dateServer(sock: ServerSocket, clients: number, log: string[]): Promise<void> {
  log.push("I am listening");
  for (let served = 0; served < clients; served++) {
    const client = await sock.accept({ timeout: 20_000 });
    log.push("New client is connected");
    const pout = client.getOutputStream();
    await pout.println(new Date().toString());
    client.close();
  }
}

/** The TypeScript DateClient: the lines the server sends, until it closes. */
async function dateClient(host: string, port: number): Promise<string[]> {
  const sock = own(await Socket.connect(host, port, { timeout: 20_000 }));
  const lines: string[] = [];
  for await (const line of sock.getInputStream()) lines.push(line);
  sock.close();
  return lines;
}

// ---------------------------------------------------------------- the date server, every direction

test.runIf(hasJava)(
  "TS DateServer -> Java DateClient: the Java client prints the TypeScript server's date",
  async () => {
    const sock = own(new ServerSocket(0, { host: "127.0.0.1" }));
    const log: string[] = [];
    const serving = dateServer(sock, 1, log);
    const client = start("java", [
      "-cp",
      javaDir,
      "DateClient",
      "127.0.0.1",
      String(sock.localPort),
    ]);
    await serving;
    const { code, stdout, stderr } = await client.done;
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(DATE);
    expect(log).toEqual(["I am listening", "New client is connected"]);
  },
);

test.runIf(hasJava)(
  "Java DateServer -> TS DateClient: it prints I am listening and New client is connected",
  async () => {
    const server = start("java", ["-cp", javaDir, "DateServer", "0", "2"]);
    const port = await server.port;
    expect((await dateClient("127.0.0.1", port))[0]).toMatch(DATE);
    expect((await dateClient("localhost", port))[0]).toMatch(DATE);
    const { code, stdout } = await server.done;
    expect(code).toBe(0);
    expect(stdout).toBe(
      `I am listening on port ${port}\nNew client is connected\nNew client is connected\n`,
    );
  },
);

test("TS <-> TS across processes: a TypeScript server process and client process, each against this one", async () => {
  const fixture = path.join(fixtures, "socket-date.mjs");
  const server = start(process.execPath, [fixture, "server", "1"]);
  expect(await dateClient("127.0.0.1", await server.port)).toEqual([expect.stringMatching(DATE)]);
  expect(await server.done).toMatchObject({ code: 0, stderr: "" });

  const sock = own(new ServerSocket(0, { host: "127.0.0.1" }));
  const serving = dateServer(sock, 1, []);
  const client = start(process.execPath, [fixture, "client", String(sock.localPort)]);
  await serving;
  const { code, stdout, stderr } = await client.done;
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stdout).toMatch(DATE);
});

test("C date_server -> TS DateClient, and TS DateServer -> C date_client", async () => {
  const server = start(path.join(binDir, "date_server"), ["0", "1"]);
  const port = await server.port;
  expect(await dateClient("127.0.0.1", port)).toEqual([expect.stringMatching(DATE)]);
  expect(await server.done).toMatchObject({ code: 0, stderr: "" });

  const sock = own(new ServerSocket(0, { host: "127.0.0.1" }));
  const serving = dateServer(sock, 1, []);
  const client = start(path.join(binDir, "date_client"), ["localhost", String(sock.localPort)]);
  await serving;
  const { code, stdout } = await client.done;
  expect(code).toBe(0);
  expect(stdout).toMatch(DATE);
});

test("Python as a peer: Python's server -> TS client, TS server -> Python's client", async () => {
  const server = start("python3", [path.join(fixtures, "socket_peer.py"), "date-server"]);
  expect(await dateClient("127.0.0.1", await server.port)).toEqual([expect.stringMatching(DATE)]);
  expect(await server.done).toMatchObject({ code: 0, stderr: "" });

  const sock = own(new ServerSocket(0, { host: "127.0.0.1" }));
  const serving = dateServer(sock, 1, []);
  const client = start("python3", [
    path.join(fixtures, "socket_peer.py"),
    "date-client",
    "127.0.0.1",
    String(sock.localPort),
  ]);
  await serving;
  const { code, stdout, stderr } = await client.done;
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stdout).toMatch(DATE);
});

test("C date_client against a port nobody listens on: connect fails with ECONNREFUSED, named", async () => {
  const sock = own(new ServerSocket(0, { host: "127.0.0.1" }));
  const port = sock.localPort;
  sock.close();
  const { code, stderr } = await start(path.join(binDir, "date_client"), [
    "127.0.0.1",
    String(port),
  ]).done;
  expect(code).toBe(1);
  expect(stderr).toBe("date_client: connect: ECONNREFUSED (Connection refused)\n");
});

// ---------------------------------------------------------------- UDP and Unix-domain peers

test("UDP with a C peer: udp_echo answers each datagram whole, upper-cased, to its sender", async () => {
  const echo = start(path.join(binDir, "udp_echo"), ["0", "2"]);
  const port = await echo.port;
  const sock = own(new DatagramSocket(0, { host: "127.0.0.1" }));
  await sock.send("first datagram", "127.0.0.1", port);
  expect((await sock.receive(100, { timeout: 20_000 })).data.toString()).toBe("FIRST DATAGRAM");
  await sock.send("second", "127.0.0.1", port);
  const second = await sock.receive(100, { timeout: 20_000 });
  expect(second).toMatchObject({
    data: Buffer.from("SECOND"),
    address: { host: "127.0.0.1", port },
  });
  expect(await echo.done).toMatchObject({ code: 0, stderr: "" });
});

test("SCM_RIGHTS, TS -> C: unix_fd_recv writes into a pipe whose write end TypeScript passed it", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-sockets-"));
  dirs.push(dir);
  const file = path.join(dir, "pass.sock");
  const server = own(ServerSocket.unix(file));
  const child = start(path.join(binDir, "unix_fd_recv"), [file]);
  const conn = own(await server.accept({ timeout: 20_000 }));
  const [r, w] = pipe();
  await conn.sendDescriptor(w);
  close(w);
  const { code, stderr } = await child.done;
  expect(stderr).toBe("");
  expect(code).toBe(0);
  const line = (await read(r, 200, { timeout: 20_000 })).toString();
  close(r);
  expect(line).toMatch(/^written by C \(pid \d+\) into the descriptor it got as fd \d+\n$/);
});

// ---------------------------------------------------------------- a concurrent server under faults and load

interface LineServer {
  port: number;
  /** Faults the server met and survived, by code. */
  faults: string[];
  served: number;
  stop(): Promise<void>;
}

/**
 * A concurrent line server: each client's requests are served by a handler
 * of its own ("date" -> the date, "big" -> 16 MiB), so a slow or stuck
 * client holds up nobody else. A client's fault ends its handler only.
 */
function lineServer(backlog = 1024): LineServer {
  const sock = own(new ServerSocket(0, { host: "127.0.0.1", backlog }));
  const handlers = new Set<Promise<void>>();
  const state: LineServer = {
    port: sock.localPort,
    faults: [],
    served: 0,
    async stop() {
      sock.close();
      await accepting;
      await Promise.all(handlers);
    },
  };
  const handle = async (client: Socket) => {
    try {
      for await (const line of client.input) {
        if (line === "big") await client.output.write(Buffer.alloc(16 << 20, "x"));
        else
          await client.output.println(
            line === "date" ? new Date().toString() : `unknown request ${line}`,
          );
        state.served++;
      }
    } catch (error) {
      state.faults.push((error as { code: string }).code);
    } finally {
      client.close();
    }
  };
  const accepting = (async () => {
    for (;;) {
      let client: Socket;
      try {
        client = await sock.accept();
      } catch (error) {
        if (sock.closed) return;
        state.faults.push((error as { code: string }).code);
        continue;
      }
      const handler = handle(client).finally(() => handlers.delete(handler));
      handlers.add(handler);
    }
  })();
  return state;
}

test("the server survives client faults: a reset, a request cut off mid-line, a client that never reads", async () => {
  const server = lineServer();
  const { code, stdout, stderr } = await start("python3", [
    path.join(fixtures, "socket_peer.py"),
    "faults",
    String(server.port),
  ]).done;
  expect(stderr).toBe("");
  expect(code).toBe(0);
  const [answered, after] = stdout.trim().split("\n");
  expect(answered).toMatch(new RegExp(`^answered: ${DATE.source.slice(1)}`));
  expect(after).toMatch(/^answered after: /);
  // The reset client's handler read ECONNRESET; the stuck one's write failed when it went away.
  await expect.poll(() => server.faults.length).toBeGreaterThanOrEqual(2);
  expect(server.faults).toContain("ECONNRESET");
  expect(server.faults.every((c) => ["ECONNRESET", "EPIPE"].includes(c))).toBe(true);
  await server.stop();
});

test("1000 concurrent clients, all connected at once from another process, are each answered", async () => {
  const server = lineServer(1024);
  const { code, stdout, stderr } = await start("python3", [
    path.join(fixtures, "socket_peer.py"),
    "many",
    String(server.port),
    "1000",
  ]).done;
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stdout).toBe("connected 1000\nanswered 1000\n");
  expect(server.served).toBe(1000);
  expect(server.faults).toEqual([]);
  await server.stop();
});
