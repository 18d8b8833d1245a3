/**
 * The lecture's Java socket classes, over the calls of lib/socket.ts:
 *
 *   Java                                         ipc-lab
 *   new ServerSocket(6013)                       new ServerSocket(6013)
 *   Socket client = sock.accept();               const client = await sock.accept();
 *   new PrintWriter(client.getOutputStream())    client.getOutputStream()
 *   pout.println(new Date().toString());         await pout.println(new Date().toString());
 *   new Socket("127.0.0.1", 6013)                await Socket.connect("127.0.0.1", 6013)
 *   new BufferedReader(… getInputStream())       sock.getInputStream()
 *   bin.readLine()                               await bin.readLine()
 *   client.close()                               client.close()
 *   new DatagramSocket(port)                     new DatagramSocket(port)
 *   new MulticastSocket(port).joinGroup(g)       new MulticastSocket(port).joinGroup(g)
 *
 * Each owns its descriptor (Descriptor: close once, `using`, EBADF after).
 * Unix-domain sockets are the same classes at a path or an abstract name:
 * ServerSocket.unix(), Socket.connectUnix(), and a connected pair from
 * Socket.pair(); they alone can pass a descriptor (sendDescriptor).
 */
import { rmSync, unlinkSync } from "node:fs";
import * as C from "./constants";
import { toBytes, type ByteInput } from "./bytes";
import { closeFd, Descriptor } from "./descriptor";
import { checkInteger, checkOptions, invalidType, invalidValue, show } from "./errors";
import { write as writeFd } from "./fd";
import { native } from "./native";
import { whenReady } from "./poll";
import * as S from "./socket";
import { checkWaitOptions, remaining, type WaitOptions } from "./waiting";
import type { SocketAddress, SocketAddressInput } from "./socket";

function checkUnixName(name: unknown): { path: string } | { abstract: string } {
  if (typeof name === "string") return { path: name };
  if (typeof name === "object" && name !== null && "abstract" in name) {
    const { abstract } = name as { abstract: unknown };
    if (typeof abstract === "string") return { abstract };
  }
  throw invalidType(`a Unix socket is named by a path or { abstract: "name" }, got ${show(name)}`);
}

/** The reading half of a connected socket (Java's getInputStream, with BufferedReader's readLine). */
export class SocketInput {
  #socket: Socket;
  #pending: Buffer = Buffer.alloc(0);
  #ended = false;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  // One read(2) into a scratch buffer of this stream's own (no 64 KiB
  // allocation per read); what came is copied into #pending.
  #scratch: Buffer | undefined;

  #readOnce(target: Buffer, options: WaitOptions): Promise<number> {
    const fd = this.#socket.fd;
    // One attempt first, without the event loop: a stream that has data
    // (a sender ahead of us) is read back to back, one call per read, as C
    // does; whenReady alone would wait a turn of the loop before each read
    // once any read had to wait.
    let n: number;
    try {
      n = native.readNowait(fd, target, 0, target.length);
    } catch (error) {
      return Promise.reject(error);
    }
    if (n >= 0) return Promise.resolve(n);
    return whenReady(
      fd,
      "readable",
      "read",
      () => {
        const n = native.readNowait(fd, target, 0, target.length);
        return n < 0 ? undefined : n;
      },
      options,
    );
  }

  async #fill(options: WaitOptions): Promise<boolean> {
    if (this.#ended) return false;
    const scratch = (this.#scratch ??= Buffer.allocUnsafe(65536));
    const n = await this.#readOnce(scratch, options);
    if (n === 0) {
      this.#ended = true;
      return false;
    }
    const chunk = scratch.subarray(0, n);
    this.#pending =
      this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]);
    return true;
  }

  /** One read(2) (or what an earlier readLine left over): up to `length` bytes, empty at end of file. */
  async read(length = 65536, options: WaitOptions = {}): Promise<Buffer> {
    checkWaitOptions(options);
    checkInteger("length", length, 1, 2 ** 30);
    if (this.#pending.length === 0 && !(await this.#fill(options))) return Buffer.alloc(0);
    const out = this.#pending.subarray(0, length);
    this.#pending = this.#pending.subarray(out.length);
    return out;
  }

  /** One read(2) straight into `buffer` (what readLine left over first): the byte count, 0 at end of file. */
  readInto(buffer: Buffer, options: WaitOptions = {}): Promise<number> {
    checkWaitOptions(options);
    if (!Buffer.isBuffer(buffer) || buffer.length === 0) {
      throw invalidType(`buffer must be a non-empty Buffer, got ${show(buffer)}`);
    }
    if (this.#pending.length > 0) {
      const n = this.#pending.copy(buffer);
      this.#pending = this.#pending.subarray(n);
      return Promise.resolve(n);
    }
    if (this.#ended) return Promise.resolve(0);
    return this.#readOnce(buffer, options).then((n) => {
      if (n === 0) this.#ended = true;
      return n;
    });
  }

  /**
   * readInto's blocking form: one read(2) into `buffer` (what readLine left
   * over first), blocking this whole process until data or end of file (0).
   * For programs that are not an event loop (a benchmark, a worker, a C-like
   * server); never in a notebook cell. Use readInto() everywhere else.
   */
  readIntoSync(buffer: Buffer): number {
    if (!Buffer.isBuffer(buffer) || buffer.length === 0) {
      throw invalidType(`buffer must be a non-empty Buffer, got ${show(buffer)}`);
    }
    const fd = this.#socket.fd;
    if (this.#pending.length > 0) {
      const n = this.#pending.copy(buffer);
      this.#pending = this.#pending.subarray(n);
      return n;
    }
    if (this.#ended) return 0;
    const n = native.read(fd, buffer, 0, buffer.length);
    if (n === 0) this.#ended = true;
    return n;
  }

  /**
   * The next line without its "\n" (or "\r\n"), however many reads it took
   * (TCP is a byte stream: a line may come in pieces, or several in one
   * read); null at end of file. A last line with no newline is returned.
   */
  async readLine(options: WaitOptions = {}): Promise<string | null> {
    checkWaitOptions(options);
    const deadline = options.timeout === undefined ? undefined : Date.now() + options.timeout;
    for (;;) {
      const end = this.#pending.indexOf(10);
      if (end >= 0) {
        const line = this.#pending.subarray(
          0,
          end > 0 && this.#pending[end - 1] === 13 ? end - 1 : end,
        );
        this.#pending = this.#pending.subarray(end + 1);
        return line.toString("utf8");
      }
      if (!(await this.#fill({ ...options, timeout: remaining(deadline) }))) {
        if (this.#pending.length === 0) return null;
        const last = this.#pending.toString("utf8");
        this.#pending = Buffer.alloc(0);
        return last;
      }
    }
  }

  /** Everything until the peer closes its end (end of file). */
  async readAll(options: WaitOptions = {}): Promise<Buffer> {
    checkWaitOptions(options);
    const deadline = options.timeout === undefined ? undefined : Date.now() + options.timeout;
    while (await this.#fill({ ...options, timeout: remaining(deadline) }));
    const all = this.#pending;
    this.#pending = Buffer.alloc(0);
    return all;
  }

  /** `for await (const line of input)`: every line until end of file. */
  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    for (let line = await this.readLine(); line !== null; line = await this.readLine()) yield line;
  }
}

/** The writing half of a connected socket (Java's getOutputStream, with PrintWriter's println). */
export class SocketOutput {
  #socket: Socket;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** write(2) until every byte is in the socket's buffer, awaiting room; the byte count. */
  write(data: ByteInput, options: WaitOptions = {}): Promise<number> {
    checkWaitOptions(options);
    const fd = this.#socket.fd;
    const bytes = toBytes(data);
    // One attempt here, without the event loop (as MessageQueue.send): a
    // socket with room takes the bytes at once, and a burst of writes costs
    // one call each; only the rest, if any, awaits room.
    let done = 0;
    try {
      while (done < bytes.length) {
        const n = native.writeNowait(fd, bytes, done, bytes.length - done);
        if (n < 0) break;
        done += n;
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (done === bytes.length) return Promise.resolve(done);
    return writeFd(fd, bytes.subarray(done), options).then((n) => done + n);
  }

  /**
   * write's blocking form: write(2) until every byte is in the socket's
   * buffer, blocking this whole process while it is full; the byte count.
   * For programs that are not an event loop (a benchmark, a worker, a C-like
   * server); never in a notebook cell. Use write() everywhere else.
   */
  writeSync(data: ByteInput): number {
    const fd = this.#socket.fd;
    const bytes = toBytes(data);
    let done = 0;
    while (done < bytes.length) done += native.write(fd, bytes, done, bytes.length - done);
    return done;
  }

  /** The text, as UTF-8. */
  print(text: string, options: WaitOptions = {}): Promise<void> {
    if (typeof text !== "string") throw invalidType(`text must be a string, got ${show(text)}`);
    return this.write(text, options).then(() => undefined);
  }

  /** The text and a newline (the lecture's pout.println). */
  println(text = "", options: WaitOptions = {}): Promise<void> {
    if (typeof text !== "string") throw invalidType(`text must be a string, got ${show(text)}`);
    return this.print(`${text}\n`, options);
  }
}

export interface SocketConnectOptions extends WaitOptions {
  /** TCP_NODELAY: send small writes at once (no Nagle delay). */
  noDelay?: boolean;
}

/** A connected stream socket: Java's Socket. */
export class Socket extends Descriptor {
  readonly #input = new SocketInput(this);
  readonly #output = new SocketOutput(this);

  /** Takes ownership of a connected socket's descriptor (accept, socketpair, one received with SCM_RIGHTS). */
  constructor(fd: number, label = "socket") {
    super(fd, label);
  }

  /** socket + connect to host:port (a name such as "localhost" is resolved first). */
  static connect(host: string, port: number, options: SocketConnectOptions = {}): Promise<Socket> {
    // Bad arguments, names that do not resolve, socket()'s failures throw
    // here; only the connection itself is a Promise.
    checkWaitOptions(checkOptions(options, "{ timeout: 1000 }"));
    const target = S.resolveAddress({ host, port }) as { host: string; port: number };
    const domain = target.host.includes(":") ? C.AF_INET6 : C.AF_INET;
    return Socket.#open(domain, target, options);
  }

  /** socket(AF_UNIX) + connect to a Unix-domain listener at a path or an abstract name. */
  static connectUnix(
    name: string | { abstract: string },
    options: WaitOptions = {},
  ): Promise<Socket> {
    checkWaitOptions(options);
    return Socket.#open(C.AF_UNIX, checkUnixName(name), options);
  }

  static #open(
    domain: number,
    target: SocketAddressInput,
    options: SocketConnectOptions,
  ): Promise<Socket> {
    const socket = new Socket(
      S.socket(domain, C.SOCK_STREAM),
      `socket to ${S.formatAddress(target)}`,
    );
    return S.connect(socket.fd, target, options).then(
      () => {
        if (options.noDelay) socket.setNoDelay(true);
        return socket;
      },
      (error: unknown) => {
        socket.close();
        throw error;
      },
    );
  }

  /** socketpair(2): two connected Unix-domain sockets, as Socket objects. */
  static pair(): [Socket, Socket] {
    const [a, b] = S.socketpair(C.SOCK_STREAM);
    return [new Socket(a, "socketpair end 0"), new Socket(b, "socketpair end 1")];
  }

  getInputStream(): SocketInput {
    this.checkOpen("read");
    return this.#input;
  }

  getOutputStream(): SocketOutput {
    this.checkOpen("write");
    return this.#output;
  }

  get input(): SocketInput {
    return this.getInputStream();
  }

  get output(): SocketOutput {
    return this.getOutputStream();
  }

  /** getsockname(2). */
  get localAddress(): SocketAddress {
    return S.getsockname(this.fd);
  }

  /** getpeername(2). */
  get remoteAddress(): SocketAddress {
    return S.getpeername(this.fd);
  }

  /** This end's port (0 for a Unix-domain socket). */
  get localPort(): number {
    const address = this.localAddress;
    return "port" in address ? address.port : 0;
  }

  /** shutdown(SHUT_WR): the peer reads end of file; this end can still read. */
  shutdownOutput(): void {
    S.shutdown(this.fd, C.SHUT_WR);
  }

  shutdownInput(): void {
    S.shutdown(this.fd, C.SHUT_RD);
  }

  setNoDelay(on = true): void {
    S.setsockopt(this.fd, C.IPPROTO_TCP, C.TCP_NODELAY, on);
  }

  /** SO_LINGER (Java's setSoLinger): 0 makes close() reset the connection. */
  setSoLinger(seconds: number | false): void {
    S.setLinger(this.fd, seconds);
  }

  /** SCM_RIGHTS: hands a copy of `fd` (a number or an owner) to the other end. Unix-domain only. */
  async sendDescriptor(
    fd: number | Descriptor,
    data: ByteInput = "\0",
    options: WaitOptions = {},
  ): Promise<void> {
    await S.sendFds(this.fd, [fd instanceof Descriptor ? fd.fd : fd], data, options);
  }

  /** Receives descriptors the other end sent with sendDescriptor (or C's sendmsg). */
  receiveDescriptors(options: WaitOptions = {}): Promise<S.ReceivedFds> {
    return S.receiveFds(this.fd, 4096, options);
  }
}

export interface ServerSocketOptions {
  /** The address to listen on (default "0.0.0.0", every interface: the lecture's "no IP address needed"). */
  host?: string;
  /** listen()'s backlog (default 50, as Java's). */
  backlog?: number;
  /** SO_REUSEADDR (default true, as Java's and Node's): rebind while old connections sit in TIME_WAIT. */
  reuseAddress?: boolean;
}

// ServerSocket.unix() hands its name to the constructor through this (a
// constructor takes Java's arguments, a port and options, and nothing else).
let unixTarget: { name: { path: string } | { abstract: string }; backlog: number } | undefined;

/** A listening socket: Java's ServerSocket. */
export class ServerSocket extends Descriptor {
  #path: string | undefined;

  /** socket + setsockopt(SO_REUSEADDR) + bind + listen, on `port` (0: the kernel picks one). */
  constructor(port = 0, options: ServerSocketOptions = {}) {
    const unix = unixTarget;
    unixTarget = undefined;
    const {
      host = "0.0.0.0",
      backlog = 50,
      reuseAddress = true,
    } = checkOptions(options, '{ host: "127.0.0.1", backlog: 50 }');
    const target = unix ? unix.name : S.resolveAddress({ host, port });
    const domain =
      "host" in target ? (target.host.includes(":") ? C.AF_INET6 : C.AF_INET) : C.AF_UNIX;
    const fd = S.socket(domain, C.SOCK_STREAM);
    // The calls come before the owner exists, so that its label shows the
    // port the kernel picked; a failure closes the bare number.
    let bound = false;
    try {
      if (reuseAddress && !unix) S.setsockopt(fd, C.SOL_SOCKET, C.SO_REUSEADDR, true);
      S.bind(fd, target);
      bound = true;
      S.listen(fd, unix ? unix.backlog : backlog);
    } catch (error) {
      closeFd(fd);
      if (bound && "path" in target) rmSync(target.path, { force: true });
      throw error;
    }
    super(fd, `server ${S.formatAddress(S.getsockname(fd))}`);
    if ("path" in target) this.#path = target.path;
  }

  /**
   * A Unix-domain listener at a path (a socket file, removed again by
   * close()) or an abstract name (no file; gone with the last descriptor).
   */
  static unix(
    name: string | { abstract: string },
    options: { backlog?: number } = {},
  ): ServerSocket {
    const { backlog = 50 } = checkOptions(options, "{ backlog: 50 }");
    unixTarget = { name: checkUnixName(name), backlog };
    return new ServerSocket();
  }

  /** accept(2), awaitable: the next client's Socket (Java's accept()). */
  accept(options: WaitOptions = {}): Promise<Socket> {
    this.checkOpen("accept");
    return S.accept(this.fd, options).then(
      ({ fd, address }) => new Socket(fd, `socket from ${S.formatAddress(address)}`),
    );
  }

  /** getsockname(2). */
  get localAddress(): SocketAddress {
    return S.getsockname(this.fd);
  }

  /** The port it listens on (the one the kernel picked for port 0). */
  get localPort(): number {
    const address = this.localAddress;
    return "port" in address ? address.port : 0;
  }

  /** close(2); a Unix-domain listener's socket file is removed too. */
  override close(): void {
    if (this.closed) return;
    super.close();
    if (this.#path !== undefined) {
      try {
        unlinkSync(this.#path);
      } catch {
        // Removed already (by someone else): nothing left behind.
      }
    }
  }
}

export interface DatagramSocketOptions {
  /** The address to bind (default "0.0.0.0"). */
  host?: string;
  /** SO_BROADCAST: may send to a broadcast address. */
  broadcast?: boolean;
  /** SO_REUSEADDR: several sockets may bind the same port (multicast receivers do). */
  reuseAddress?: boolean;
  /** SO_RCVBUF in bytes (the kernel doubles it): how much waits before datagrams are dropped. */
  receiveBufferSize?: number;
}

/** A datagram (UDP) socket: Java's DatagramSocket. No connection; each send is one message. */
export class DatagramSocket extends Descriptor {
  /** socket(SOCK_DGRAM) + bind to `port` (0: the kernel picks one). */
  constructor(port = 0, options: DatagramSocketOptions = {}) {
    const {
      host = "0.0.0.0",
      broadcast,
      reuseAddress,
      receiveBufferSize,
    } = checkOptions(options, "{ broadcast: true }");
    const target = S.resolveAddress({ host, port });
    const fd = S.socket(
      (target as { host: string }).host.includes(":") ? C.AF_INET6 : C.AF_INET,
      C.SOCK_DGRAM,
    );
    try {
      if (broadcast) S.setsockopt(fd, C.SOL_SOCKET, C.SO_BROADCAST, true);
      if (reuseAddress) S.setsockopt(fd, C.SOL_SOCKET, C.SO_REUSEADDR, true);
      if (receiveBufferSize !== undefined) {
        S.setsockopt(fd, C.SOL_SOCKET, C.SO_RCVBUF, receiveBufferSize);
      }
      S.bind(fd, target);
    } catch (error) {
      closeFd(fd);
      throw error;
    }
    super(fd, `udp ${S.formatAddress(S.getsockname(fd))}`);
  }

  /** sendto(2): one datagram to host:port; the byte count. */
  send(data: ByteInput, host: string, port: number, options: WaitOptions = {}): Promise<number> {
    this.checkOpen("sendto");
    return S.sendto(this.fd, data, { host, port }, options);
  }

  /** recvfrom(2), awaitable: the next datagram (cut to `length`, see `truncated`) and its sender. */
  receive(length = 65536, options: WaitOptions = {}): Promise<S.Datagram> {
    this.checkOpen("recvfrom");
    return S.recvfrom(this.fd, length, options);
  }

  /** SO_BROADCAST. */
  setBroadcast(on = true): void {
    S.setsockopt(this.fd, C.SOL_SOCKET, C.SO_BROADCAST, on);
  }

  get localAddress(): SocketAddress {
    return S.getsockname(this.fd);
  }

  get localPort(): number {
    const address = this.localAddress;
    return "port" in address ? address.port : 0;
  }
}

/** A datagram socket that joins multicast groups: Java's MulticastSocket (SO_REUSEADDR set). */
export class MulticastSocket extends DatagramSocket {
  constructor(port = 0, options: DatagramSocketOptions = {}) {
    super(port, { reuseAddress: true, ...checkOptions(options, '{ host: "0.0.0.0" }') });
  }

  /** IP_ADD_MEMBERSHIP: receive the group's datagrams (224.0.0.0/4). */
  joinGroup(group: string): void {
    this.checkOpen("setsockopt");
    S.setMembership(this.fd, group, true);
  }

  leaveGroup(group: string): void {
    this.checkOpen("setsockopt");
    S.setMembership(this.fd, group, false);
  }

  /** IP_MULTICAST_TTL: how many routers a datagram may cross (1: this network only). */
  setTimeToLive(ttl: number): void {
    S.setsockopt(this.fd, C.IPPROTO_IP, C.IP_MULTICAST_TTL, ttl);
  }

  /** IP_MULTICAST_LOOP: whether this host's own members get what it sends. */
  setLoopback(on: boolean): void {
    if (typeof on !== "boolean") throw invalidValue(`on must be true or false, got ${show(on)}`);
    S.setsockopt(this.fd, C.IPPROTO_IP, C.IP_MULTICAST_LOOP, on);
  }
}
