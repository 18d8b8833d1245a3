// Sockets (lib/socket.ts, lib/socket-classes.ts, native/src/socket.cc): the
// calls one by one (socket, bind, listen, accept, connect, read/write,
// shutdown, close, getsockname/getpeername, setsockopt), awaitable accept,
// connect and recvfrom on the event loop, the Java-style classes, UDP
// (boundaries, loss, broadcast, multicast in a namespace of its own),
// Unix-domain sockets (path, abstract, socketpair, SCM_RIGHTS across
// processes) and every error a caller can provoke, by code and message.
// TCP and UDP use port 0: the kernel picks a free port.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import {
  accept,
  acceptSync,
  AF_INET,
  AF_UNIX,
  bind,
  close,
  connect,
  connectSync,
  DatagramSocket,
  type Descriptor,
  getpeername,
  getsockname,
  getsockopt,
  listen,
  lookup,
  MulticastSocket,
  openFds,
  pendingWaits,
  pipe,
  read,
  readSync,
  recvfrom,
  sendto,
  ServerSocket,
  setsockopt,
  shutdown,
  SO_ACCEPTCONN,
  SO_REUSEADDR,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
  socket,
  socketpair,
  SOL_SOCKET,
  write,
  writeSync,
} from "ipc-lab";

const fixtures = path.join(import.meta.dirname, "fixtures");
const owners: Descriptor[] = [];
const fds = new Set<number>();
const dirs: string[] = [];

/** Remembers an owner or a raw descriptor; afterEach closes what a test left open. */
function own<T extends Descriptor>(owner: T): T {
  owners.push(owner);
  return owner;
}
function raw(fd: number): number {
  fds.add(fd);
  return fd;
}
function closeRaw(fd: number): void {
  fds.delete(fd);
  close(fd);
}
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-sockets-"));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const owner of owners.splice(0)) owner.close();
  for (const fd of fds) close(fd);
  fds.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  expect(pendingWaits()).toBe(0);
});

function localServer(options: { backlog?: number } = {}): ServerSocket {
  return own(new ServerSocket(0, { host: "127.0.0.1", ...options }));
}

/** A child process to its end, with its output (waits on exit, not time). */
function runChild(
  command: string,
  args: string[],
  stdio: (number | "ignore" | "pipe")[] = ["ignore", "pipe", "pipe"],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: stdio as never });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

// ---------------------------------------------------------------- the calls one by one

test("socket, bind to port 0, listen: the kernel picks a port and lists socket:[inode] in /proc/self/fd", () => {
  const fd = raw(socket(AF_INET, SOCK_STREAM));
  expect(openFds().find((entry) => entry.fd === fd)?.target).toMatch(/^socket:\[\d+\]$/);
  expect(getsockopt(fd, SOL_SOCKET, SO_TYPE)).toBe(SOCK_STREAM);
  bind(fd, { host: "127.0.0.1", port: 0 });
  const address = getsockname(fd);
  expect(address).toMatchObject({ family: "IPv4", host: "127.0.0.1" });
  expect((address as { port: number }).port).toBeGreaterThan(0);
  expect(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN)).toBe(0);
  listen(fd, 8);
  expect(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN)).toBe(1);
});

test("connect, accept, then read and write through the fd helpers in both directions (full duplex)", async () => {
  const listener = raw(socket());
  bind(listener, { host: "127.0.0.1", port: 0 });
  listen(listener);
  const port = (getsockname(listener) as { port: number }).port;
  const client = raw(socket());
  const accepted = accept(listener, { timeout: 10_000 });
  await connect(client, { host: "127.0.0.1", port }, { timeout: 10_000 });
  const { fd: server, address } = await accepted;
  raw(server);
  expect(address).toEqual(getsockname(client));
  expect(getpeername(client)).toEqual({ family: "IPv4", host: "127.0.0.1", port });
  await write(client, "ping");
  expect((await read(server, 100, { timeout: 10_000 })).toString()).toBe("ping");
  await write(server, "pong");
  expect((await read(client, 100, { timeout: 10_000 })).toString()).toBe("pong");
  shutdown(client); // SHUT_WR: the server reads end of file, the client can still read
  expect((await read(server, 100, { timeout: 10_000 })).length).toBe(0);
  await write(server, "after shutdown");
  expect((await read(client, 100, { timeout: 10_000 })).toString()).toBe("after shutdown");
});

test("connectSync and acceptSync are the blocking calls C makes (a queued connection: no wait)", () => {
  const listener = raw(socket());
  bind(listener, { host: "127.0.0.1", port: 0 });
  listen(listener);
  const client = raw(socket());
  connectSync(client, getsockname(listener) as { host: string; port: number });
  const { fd } = acceptSync(listener);
  raw(fd);
  writeSync(fd, "blocking");
  expect(readSync(client, 100).toString()).toBe("blocking");
});

test("a name is resolved by getaddrinfo: localhost is 127.0.0.1, offline, from /etc/hosts", async () => {
  expect(lookup("localhost")).toContain("127.0.0.1");
  const server = localServer();
  const accepted = server.accept({ timeout: 10_000 });
  const client = own(await Socket.connect("localhost", server.localPort, { timeout: 10_000 }));
  own(await accepted);
  expect(client.remoteAddress).toMatchObject({ host: "127.0.0.1", port: server.localPort });
});

test("getpeername of a socket that is not connected fails with ENOTCONN", () => {
  const fd = raw(socket());
  expect(() => getpeername(fd)).toThrow(
    expect.objectContaining({ code: "ENOTCONN", syscall: "getpeername", fd }),
  );
});

// ---------------------------------------------------------------- the Java-style classes

test("the lecture's date server and client: accept resolves to a Socket, println and readLine carry the date", async () => {
  const server = localServer();
  const date = new Date().toString();
  const serving = (async () => {
    const client = await server.accept({ timeout: 10_000 });
    await client.getOutputStream().println(date);
    client.close();
  })();
  const sock = own(await Socket.connect("127.0.0.1", server.localPort, { timeout: 10_000 }));
  const bin = sock.getInputStream();
  expect(await bin.readLine({ timeout: 10_000 })).toBe(date);
  expect(await bin.readLine({ timeout: 10_000 })).toBeNull(); // the server closed: end of file
  await serving;
  sock.close();
  expect(() => sock.getInputStream()).toThrow(expect.objectContaining({ code: "EBADF" }));
});

test("TCP is a byte stream: three writes may be one read, and one line may take several reads", async () => {
  const [a, b] = Socket.pair().map(own);
  await a!.output.write("one\ntw");
  await a!.output.write("o\nthr");
  await a!.output.write("ee\n");
  a!.shutdownOutput();
  const lines: string[] = [];
  for await (const line of b!.input) lines.push(line);
  expect(lines).toEqual(["one", "two", "three"]);
});

test("readLine keeps what a read brought past the newline, and returns a last line without one", async () => {
  const [a, b] = Socket.pair().map(own);
  await a!.output.print("first\r\nsecond\nlast");
  a!.shutdownOutput();
  expect(await b!.input.readLine()).toBe("first");
  expect(await b!.input.readLine()).toBe("second");
  expect(await b!.input.readLine()).toBe("last");
  expect(await b!.input.readLine()).toBeNull();
});

test("readInto reads straight into the caller's buffer, after what readLine left over", async () => {
  const [a, b] = Socket.pair().map(own);
  await a!.output.write("line\nrest");
  expect(await b!.input.readLine()).toBe("line");
  const buffer = Buffer.alloc(16);
  expect(await b!.input.readInto(buffer)).toBe(4);
  expect(buffer.subarray(0, 4).toString()).toBe("rest");
  a!.close();
  expect(await b!.input.readInto(buffer)).toBe(0);
  expect(() => b!.input.readInto(Buffer.alloc(0))).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
});

test("readIntoSync and writeSync: the blocking read(2) and write(2), after what readLine left over", () => {
  const [a, b] = Socket.pair().map(own);
  expect(a!.output.writeSync("line\nrest")).toBe(9);
  expect(a!.output.writeSync(Buffer.from("!"))).toBe(1);
  const input = b!.input;
  const buffer = Buffer.alloc(16);
  expect(input.readIntoSync(buffer)).toBe(10); // one read took both writes
  expect(buffer.subarray(0, 10).toString()).toBe("line\nrest!");
  a!.output.writeSync("x");
  a!.close();
  expect(input.readIntoSync(buffer)).toBe(1);
  expect(input.readIntoSync(buffer)).toBe(0); // end of file
  expect(input.readIntoSync(buffer)).toBe(0);
  expect(() => input.readIntoSync(Buffer.alloc(0))).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
  expect(() => input.readIntoSync("x" as unknown as Buffer)).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
  const output = b!.output;
  expect(() => output.writeSync(42 as unknown as string)).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
  b!.close();
  expect(() => input.readIntoSync(buffer)).toThrow(expect.objectContaining({ code: "EBADF" }));
  expect(() => output.writeSync("x")).toThrow(expect.objectContaining({ code: "EBADF" }));
});

test("writeSync to a peer that closed fails with EPIPE; readIntoSync after a reset with ECONNRESET", async () => {
  const [a, b] = Socket.pair();
  own(a!);
  b!.close();
  expect(() => a!.output.writeSync("to nobody")).toThrow(
    expect.objectContaining({ code: "EPIPE", syscall: "write" }),
  );
  const server = localServer();
  const accepted = server.accept({ timeout: 10_000 });
  const client = own(await Socket.connect("127.0.0.1", server.localPort, { timeout: 10_000 }));
  const peer = await accepted;
  peer.setSoLinger(0);
  peer.close();
  expect(() => client.input.readIntoSync(Buffer.alloc(8))).toThrow(
    expect.objectContaining({
      code: "ECONNRESET",
      syscall: "read",
      message: expect.stringMatching(/^read: ECONNRESET \(Connection reset by peer\) fd \d+$/),
    }),
  );
});

test("writeSync and readIntoSync across processes: a Python sink counts 1 MiB, a TS peer echoes with the sync forms", async () => {
  const sink = `
import socket, sys
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
conn, _ = server.accept()
total = 0
while True:
    data = conn.recv(65536)
    if not data:
        break
    total += len(data)
conn.sendall(str(total).encode())
conn.close()
`;
  const python = spawn("python3", ["-c", sink], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => python.on("close", resolve));
  const port = await new Promise<number>((resolve) =>
    python.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
  );
  python.stdout.resume();
  const conn = own(await Socket.connect("127.0.0.1", port, { timeout: 10_000 }));
  // Blocks while the socket's buffer is full: Python drains it meanwhile.
  expect(conn.output.writeSync(Buffer.alloc(1 << 20, "x"))).toBe(1 << 20);
  conn.shutdownOutput();
  const buffer = Buffer.alloc(64);
  let got = "";
  for (let n = conn.input.readIntoSync(buffer); n > 0; n = conn.input.readIntoSync(buffer))
    got += buffer.subarray(0, n).toString();
  expect(got).toBe(String(1 << 20));
  expect(await exited).toBe(0);

  const server = localServer();
  const echo = `import { Socket } from "ipc-lab";
    const s = await Socket.connect("127.0.0.1", ${server.localPort});
    const b = Buffer.alloc(64);
    for (let n = s.input.readIntoSync(b); n > 0; n = s.input.readIntoSync(b))
      s.output.writeSync(b.subarray(0, n).toString().toUpperCase());
    s.close();`;
  const child = runChild(process.execPath, ["--input-type=module", "-e", echo]);
  const peer = own(await server.accept({ timeout: 20_000 }));
  for (const text of ["ping", "pong"]) {
    await peer.output.write(text);
    expect((await peer.input.read(64, { timeout: 10_000 })).toString()).toBe(text.toUpperCase());
  }
  peer.shutdownOutput();
  expect(await child).toMatchObject({ code: 0, stderr: "" });
});

test("a ServerSocket with no host listens on every interface (0.0.0.0), as Java's", () => {
  const server = own(new ServerSocket(0));
  expect(server.localAddress).toMatchObject({ family: "IPv4", host: "0.0.0.0" });
  expect(String(server.fd)).toMatch(/^\d+$/);
});

test("accept waits on the event loop: a time-out rejects with ETIMEDOUT, close rejects a pending accept with EBADF", async () => {
  const server = localServer();
  await expect(server.accept({ timeout: 20 })).rejects.toMatchObject({
    code: "ETIMEDOUT",
    syscall: "accept",
  });
  const pending = server.accept();
  server.close();
  await expect(pending).rejects.toMatchObject({ code: "EBADF" });
  expect(() => server.accept()).toThrow(
    expect.objectContaining({ code: "EBADF", syscall: "accept" }),
  );
});

test("an AbortSignal stops a pending read of a socket", async () => {
  const [a] = Socket.pair().map(own);
  const controller = new AbortController();
  const pending = a!.input.readLine({ signal: controller.signal });
  controller.abort(new Error("stopped by the test"));
  await expect(pending).rejects.toThrow("stopped by the test");
});

test("the backlog: with no accept, connections queue up to backlog + 1 and the next one waits (SYN dropped)", async () => {
  const server = localServer({ backlog: 1 });
  const port = server.localPort;
  const first = own(await Socket.connect("127.0.0.1", port, { timeout: 10_000 }));
  const second = own(await Socket.connect("127.0.0.1", port, { timeout: 10_000 }));
  await expect(Socket.connect("127.0.0.1", port, { timeout: 300 })).rejects.toMatchObject({
    code: "ETIMEDOUT",
    syscall: "connect",
  });
  // Accepting takes them from the queue, in order.
  const a = own(await server.accept({ timeout: 10_000 }));
  expect(a.remoteAddress).toEqual(first.localAddress);
  const b = own(await server.accept({ timeout: 10_000 }));
  expect(b.remoteAddress).toEqual(second.localAddress);
});

// ---------------------------------------------------------------- errors, by code and message

test("a port that is taken: bind fails with EADDRINUSE, naming the address and port", () => {
  const server = localServer();
  const port = server.localPort;
  let error: unknown;
  try {
    new ServerSocket(port, { host: "127.0.0.1" });
  } catch (caught) {
    error = caught;
  }
  expect(error).toMatchObject({ code: "EADDRINUSE", syscall: "bind", address: "127.0.0.1", port });
  expect((error as Error).message).toMatch(
    new RegExp(`^bind: EADDRINUSE \\(Address already in use\\) fd \\d+: 127\\.0\\.0\\.1:${port}$`),
  );
  expect((error as { errno: number }).errno).toBeLessThan(0);
});

test("a port out of range is a RangeError before any call", () => {
  for (const port of [70000, -1, 1.5]) {
    expect(() => new ServerSocket(port)).toThrow(
      expect.objectContaining({ code: "ERR_OUT_OF_RANGE", name: "RangeError" }),
    );
  }
  expect(() => new ServerSocket(70000)).toThrow("port must be between 0 and 65535, got 70000");
  expect(() => Socket.connect("127.0.0.1", 65536)).toThrow(
    "port must be between 0 and 65535, got 65536",
  );
  expect(() => bind(0, { host: "127.0.0.1", port: "80" as never })).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_TYPE",
      message: 'port must be a number, got "80"',
    }),
  );
});

test("nothing listens there: connect fails with ECONNREFUSED, naming the address", async () => {
  // A bound socket that does not listen holds a port nobody else takes.
  const holder = raw(socket());
  bind(holder, { host: "127.0.0.1", port: 0 });
  const { port } = getsockname(holder) as { port: number };
  const before = openFds().length;
  const error = await Socket.connect("127.0.0.1", port).catch((caught: unknown) => caught);
  expect(error).toMatchObject({
    code: "ECONNREFUSED",
    syscall: "connect",
    address: "127.0.0.1",
    port,
  });
  expect((error as Error).message).toMatch(
    /^connect: ECONNREFUSED \(Connection refused\) fd \d+: 127\.0\.0\.1:\d+$/,
  );
  expect(openFds().length).toBe(before); // the failed socket was closed
});

test("a name that does not resolve: ENOTFOUND from getaddrinfo, naming the host", async () => {
  const host = `no-such-host-${randomBytes(4).toString("hex")}.invalid`;
  let error: unknown;
  try {
    void Socket.connect(host, 80); // a name is resolved before the Promise: it throws
  } catch (caught) {
    error = caught;
  }
  expect(error).toMatchObject({ code: "ENOTFOUND", syscall: "getaddrinfo", hostname: host });
  expect((error as Error).message).toBe(
    `getaddrinfo: ENOTFOUND (Name or service not known) '${host}'`,
  );
});

test("a peer that resets (SO_LINGER 0, then close): the next read fails with ECONNRESET", async () => {
  const server = localServer();
  const accepted = server.accept({ timeout: 10_000 });
  const client = own(await Socket.connect("127.0.0.1", server.localPort, { timeout: 10_000 }));
  const peer = await accepted;
  peer.setSoLinger(0);
  peer.close();
  const error = await client.input
    .read(100, { timeout: 10_000 })
    .catch((caught: unknown) => caught);
  expect(error).toMatchObject({ code: "ECONNRESET", syscall: "read" });
  expect((error as Error).message).toMatch(
    /^read: ECONNRESET \(Connection reset by peer\) fd \d+$/,
  );
});

test("a write to a peer that closed: EPIPE (the first write may still be taken; the peer answers with a reset)", async () => {
  const [a, b] = Socket.pair();
  own(a!);
  b!.close();
  const error = await a!.output.write("to nobody").catch((caught: unknown) => caught);
  expect(error).toMatchObject({ code: "EPIPE", syscall: "write" });
  expect((error as Error).message).toMatch(/^write: EPIPE \(Broken pipe\) fd \d+$/);

  const server = localServer();
  const accepted = server.accept({ timeout: 10_000 });
  const client = own(await Socket.connect("127.0.0.1", server.localPort, { timeout: 10_000 }));
  (await accepted).close();
  let failure: unknown;
  for (let i = 0; i < 100 && failure === undefined; i++) {
    await client.output.write("x".repeat(1000)).catch((caught: unknown) => (failure = caught));
    // The peer's reset comes back during the write: this read returns at once
    // (end of file, or ECONNRESET), and the next write fails.
    if (failure === undefined) await client.input.read(1).catch(() => {});
  }
  expect(failure).toMatchObject({
    code: expect.stringMatching(/^(EPIPE|ECONNRESET)$/),
    syscall: "write",
  });
});

test("too many open descriptors: socket() and accept() fail with EMFILE, and the server accepts again once one is free", async () => {
  const fixture = path.join(fixtures, "socket-emfile.mjs");
  const child = await runChild("sh", [
    "-c",
    `ulimit -n 64; exec "${process.execPath}" "${fixture}"`,
  ]);
  expect(child.stderr).toBe("");
  expect(child.code).toBe(0);
  const steps = child.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, string>);
  expect(steps[0]).toMatchObject({ step: "socket", code: "EMFILE", syscall: "socket" });
  expect(steps[0]!.message).toBe("socket: EMFILE (Too many open files)");
  expect(steps[1]).toMatchObject({ step: "accept while full", code: "EMFILE", syscall: "accept" });
  expect(steps[2]).toEqual({ step: "accept after close" });
});

test("bad addresses are refused at the boundary", () => {
  const fd = raw(socket());
  expect(() => bind(fd, { host: "", port: 0 })).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
  expect(() => bind(fd, null as never)).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
  );
  expect(() => ServerSocket.unix({ abstract: "x".repeat(200) })).toThrow(
    expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
  );
  expect(() => listen(fd, -1)).toThrow(expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }));
});

// ---------------------------------------------------------------- SO_REUSEADDR and TIME_WAIT

test("TIME_WAIT holds the port after the server closes first: rebinding needs SO_REUSEADDR", async () => {
  const server = localServer();
  const port = server.localPort;
  const accepted = server.accept({ timeout: 10_000 });
  const client = own(await Socket.connect("127.0.0.1", port, { timeout: 10_000 }));
  const conn = await accepted;
  conn.close(); // the server's side closes first: its end goes to TIME_WAIT
  expect(await client.input.read(10, { timeout: 10_000 })).toHaveLength(0);
  client.close();
  server.close();
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  await expect
    .poll(() =>
      readFileSync("/proc/net/tcp", "utf8")
        .split("\n")
        .some((l) => l.includes(`0100007F:${hex}`) && / 06 /.test(l)),
    )
    .toBe(true); // state 06 is TIME_WAIT
  const plain = raw(socket());
  expect(() => bind(plain, { host: "127.0.0.1", port })).toThrow(
    expect.objectContaining({ code: "EADDRINUSE" }),
  );
  const reusing = raw(socket());
  setsockopt(reusing, SOL_SOCKET, SO_REUSEADDR, true);
  expect(getsockopt(reusing, SOL_SOCKET, SO_REUSEADDR)).toBe(1);
  bind(reusing, { host: "127.0.0.1", port });
  listen(reusing);
});

// ---------------------------------------------------------------- UDP

test("UDP keeps message boundaries: two sends are two receives, and a short buffer truncates one", async () => {
  const a = own(new DatagramSocket(0, { host: "127.0.0.1" }));
  const b = own(new DatagramSocket(0, { host: "127.0.0.1" }));
  await a.send("first", "127.0.0.1", b.localPort);
  await a.send("second message", "127.0.0.1", b.localPort);
  const one = await b.receive(100, { timeout: 10_000 });
  expect(one).toEqual({
    data: Buffer.from("first"),
    truncated: false,
    address: { family: "IPv4", host: "127.0.0.1", port: a.localPort },
  });
  const two = await b.receive(6, { timeout: 10_000 });
  expect(two.data.toString()).toBe("second");
  expect(two.truncated).toBe(true);
});

test("UDP can lose datagrams: overrun a small receive buffer and fewer arrive than were sent", async () => {
  const receiver = own(new DatagramSocket(0, { host: "127.0.0.1", receiveBufferSize: 4096 }));
  const sender = own(new DatagramSocket(0, { host: "127.0.0.1" }));
  const sent = 200;
  for (let i = 0; i < sent; i++)
    await sender.send(Buffer.alloc(1000, i), "127.0.0.1", receiver.localPort);
  let received = 0;
  for (;;) {
    const got = await receiver.receive(2000, { timeout: 0 }).catch(() => null);
    if (got === null) break;
    received++;
  }
  expect(received).toBeGreaterThan(0);
  expect(received).toBeLessThan(sent);
});

test("the raw datagram calls: sendto and recvfrom on SOCK_DGRAM descriptors", async () => {
  const a = raw(socket(AF_INET, SOCK_DGRAM));
  const b = raw(socket(AF_INET, SOCK_DGRAM));
  bind(b, { host: "127.0.0.1", port: 0 });
  await sendto(a, "raw datagram", getsockname(b) as { host: string; port: number });
  const got = await recvfrom(b, 100, { timeout: 10_000 });
  expect(got.data.toString()).toBe("raw datagram");
  // sendto bound `a` to a port of its own (0.0.0.0:port); the datagram came from 127.0.0.1.
  expect(got.address).toMatchObject({
    host: "127.0.0.1",
    port: (getsockname(a) as { port: number }).port,
  });
});

test("broadcast needs SO_BROADCAST: EACCES without it, delivered with it (127.255.255.255 on loopback)", async () => {
  const receiver = own(new DatagramSocket(0));
  const plain = own(new DatagramSocket(0, { host: "127.0.0.1" }));
  const error = await plain
    .send("all", "127.255.255.255", receiver.localPort)
    .catch((caught: unknown) => caught);
  expect(error).toMatchObject({ code: "EACCES", syscall: "sendto" });
  expect((error as Error).message).toMatch(
    /^sendto: EACCES \(Permission denied\) fd \d+: 127\.255\.255\.255:\d+$/,
  );
  plain.setBroadcast(true);
  await plain.send("to all", "127.255.255.255", receiver.localPort);
  expect((await receiver.receive(100, { timeout: 10_000 })).data.toString()).toBe("to all");
});

test.runIf(process.getuid?.() === 0)(
  "multicast in a network namespace of its own: two members of a group both get one datagram",
  async () => {
    const script =
      "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && " +
      `exec "${process.execPath}" socket-multicast.mjs 239.1.2.3`;
    const child = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const proc = spawn("unshare", ["--net", "sh", "-c", script], {
          cwd: fixtures,
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        proc.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        proc.on("error", reject);
        proc.on("close", (code) => resolve({ code, stdout, stderr }));
      },
    );
    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual(["to the group", "to the group"]);
  },
);

test("joining a multicast group: a name is refused at the boundary, a unicast address by the kernel (EINVAL)", () => {
  const s = own(new MulticastSocket(0));
  expect(() => s.joinGroup("my-group")).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_VALUE",
      message: 'group must be a numeric IPv4 address, got "my-group"',
    }),
  );
  expect(() => s.joinGroup("10.1.2.3")).toThrow(
    expect.objectContaining({ code: "EINVAL", syscall: "setsockopt" }),
  );
});

// ---------------------------------------------------------------- Unix-domain sockets

test("a Unix-domain socket at a path: a socket file while listening, removed by close()", async () => {
  const file = path.join(tempDir(), "date.sock");
  const server = own(ServerSocket.unix(file));
  expect(statSync(file).isSocket()).toBe(true);
  const accepted = server.accept({ timeout: 10_000 });
  const client = own(await Socket.connectUnix(file, { timeout: 10_000 }));
  const conn = own(await accepted);
  await conn.output.println("over a path");
  expect(await client.input.readLine()).toBe("over a path");
  expect(client.remoteAddress).toEqual({ family: "unix", path: file });
  expect(() => ServerSocket.unix(file)).toThrow(
    expect.objectContaining({ code: "EADDRINUSE", syscall: "bind" }),
  );
  expect(existsSync(file)).toBe(true); // a failed bind does not remove someone else's file
  server.close();
  expect(existsSync(file)).toBe(false);
});

test("the abstract namespace: no file, the name shows in /proc/net/unix with a leading @", async () => {
  const name = `ipc-lab-sockets-${randomBytes(4).toString("hex")}`;
  const server = own(ServerSocket.unix({ abstract: name }));
  expect(readFileSync("/proc/net/unix", "utf8")).toContain(`@${name}`);
  const accepted = server.accept({ timeout: 10_000 });
  const client = own(await Socket.connectUnix({ abstract: name }, { timeout: 10_000 }));
  own(await accepted);
  expect(client.remoteAddress).toEqual({ family: "unix", abstract: name });
  server.close();
  expect(readFileSync("/proc/net/unix", "utf8")).not.toContain(`@${name} `);
});

test("a full Unix listener: connect waits (the kernel says EAGAIN) and goes through once accept makes room", async () => {
  const name = `ipc-lab-sockets-${randomBytes(4).toString("hex")}`;
  const server = own(ServerSocket.unix({ abstract: name }, { backlog: 0 }));
  const first = own(await Socket.connectUnix({ abstract: name }, { timeout: 10_000 }));
  await expect(Socket.connectUnix({ abstract: name }, { timeout: 50 })).rejects.toMatchObject({
    code: "ETIMEDOUT",
    syscall: "connect",
  });
  await expect(
    Socket.connectUnix({ abstract: name }, { signal: AbortSignal.abort(new Error("given up")) }),
  ).rejects.toThrow("given up");
  const waiting = Socket.connectUnix({ abstract: name }, { timeout: 10_000 });
  own(await server.accept({ timeout: 10_000 })); // takes `first`'s connection: room for one more
  const second = own(await waiting);
  expect(second.remoteAddress).toEqual({ family: "unix", abstract: name });
  expect(first.closed).toBe(false);
});

test("connecting to a Unix path nobody listens on: ENOENT, or ECONNREFUSED for a stale socket file", async () => {
  const dir = tempDir();
  await expect(Socket.connectUnix(path.join(dir, "missing.sock"))).rejects.toMatchObject({
    code: "ENOENT",
    syscall: "connect",
  });
  const stale = raw(socket(AF_UNIX, SOCK_STREAM));
  bind(stale, { path: path.join(dir, "stale.sock") });
  await expect(Socket.connectUnix(path.join(dir, "stale.sock"))).rejects.toMatchObject({
    code: "ECONNREFUSED",
    syscall: "connect",
  });
});

test("socketpair: two connected ends, both directions, no name at all", async () => {
  const [a, b] = socketpair().map(raw);
  await write(a!, "to b");
  expect((await read(b!, 100)).toString()).toBe("to b");
  await write(b!, "to a");
  expect((await read(a!, 100)).toString()).toBe("to a");
  expect(getsockname(a!)).toEqual({ family: "unix", path: "" });
});

test("SCM_RIGHTS inside one process: the receiver gets a new number for the same pipe", async () => {
  const [a, b] = Socket.pair().map(own);
  const [r, w] = pipe().map(raw);
  await a!.sendDescriptor(w!, "w");
  const got = await b!.receiveDescriptors({ timeout: 10_000 });
  expect(got.data.toString()).toBe("w");
  expect(got.fds).toHaveLength(1);
  const copy = raw(got.fds[0]!);
  expect(copy).not.toBe(w);
  const target = (fd: number) => openFds().find((entry) => entry.fd === fd)?.target;
  expect(target(copy)).toBe(target(w!));
  writeSync(copy, "through the copy");
  expect(readSync(r!, 100).toString()).toBe("through the copy");
});

test("SCM_RIGHTS across processes, TS -> Python: Python writes into a pipe it got through the socket", async () => {
  const [mine, theirs] = socketpair().map(raw);
  const [r, w] = pipe().map(raw);
  const child = runChild(
    "python3",
    [path.join(fixtures, "socket_fd_peer.py"), "receive"],
    ["ignore", "pipe", "pipe", theirs!],
  );
  closeRaw(theirs!);
  await new Socket(mine!, "to python").sendDescriptor(w!);
  fds.delete(mine!);
  closeRaw(w!);
  const result = await child;
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  expect(readSync(r!, 200).toString()).toBe("written by python through the passed descriptor\n");
});

test("SCM_RIGHTS across processes, Python -> TS: TS reads a pipe Python made and sent", async () => {
  const [mine, theirs] = socketpair().map(raw);
  const child = runChild(
    "python3",
    [path.join(fixtures, "socket_fd_peer.py"), "send"],
    ["ignore", "pipe", "pipe", theirs!],
  );
  closeRaw(theirs!);
  const sock = own(new Socket(mine!, "from python"));
  fds.delete(mine!);
  const got = await sock.receiveDescriptors({ timeout: 10_000 });
  const readEnd = raw(got.fds[0]!);
  const result = await child;
  expect(result.code).toBe(0);
  expect((await read(readEnd, 200, { timeout: 10_000 })).toString()).toBe(
    "from python's own pipe\n",
  );
});

test("over TCP a passed descriptor is silently dropped: the byte arrives, no descriptor", async () => {
  const server = localServer();
  const accepted = server.accept({ timeout: 10_000 });
  const client = own(await Socket.connect("127.0.0.1", server.localPort, { timeout: 10_000 }));
  const conn = own(await accepted);
  const [r] = pipe().map(raw);
  await client.sendDescriptor(r!, "x");
  expect(await conn.receiveDescriptors({ timeout: 10_000 })).toEqual({
    data: Buffer.from("x"),
    fds: [],
  });
});
