/**
 * Sockets, the calls one by one (lecture: a socket is an endpoint, 양 종단,
 * of a communication channel, named by an IP address and a port). The
 * server's socket → bind (주소 할당) → listen (요청 대기) → accept (수락), the
 * client's socket → connect (요청); then read and write (lib/fd.ts) in both
 * directions, shutdown and close. Numbers come back as raw descriptors, as
 * pipe() gives them; the Java-style classes over them are in
 * lib/socket-classes.ts.
 *
 * Sockets stay blocking, as in C (a C child that inherits one expects that);
 * `accept`, `connect`, `recvfrom` and `receiveFds` await readiness on Node's
 * event loop with a non-blocking attempt of their own (native/src/socket.cc)
 * and park no libuv pool thread. Their `…Sync` forms block the process, for
 * the lesson that shows the blocking call itself.
 *
 * An address is `{ host, port }` (a numeric address or a name, resolved by
 * getaddrinfo: "localhost" comes from /etc/hosts, offline), `{ path }` (a
 * Unix-domain socket in the file system) or `{ abstract }` (Linux's abstract
 * namespace: a name with no file).
 */
import { isIP } from "node:net";
import { native, type NativeAccepted, type NativeSocketAddress } from "./native";
import * as C from "./constants";
import { toBytes, type ByteInput } from "./bytes";
import { adopt } from "./descriptor";
import { checkFd, checkInteger, invalidType, invalidValue, show, timedOut } from "./errors";
import { whenReady } from "./poll";
import { checkWaitOptions, remaining, whenStopped, type WaitOptions } from "./waiting";

/** Where a socket is bound or connected, as the addresses of a call. */
export type SocketAddressInput =
  { host: string; port: number } | { path: string } | { abstract: string };

/** An address as the kernel reports it (getsockname, getpeername, accept, recvfrom). */
export type SocketAddress = NativeSocketAddress;

/** A connection accept() took: its descriptor and the client's address. */
export type AcceptedConnection = NativeAccepted;

/** A datagram recvfrom() took: its bytes, whether it was cut to the buffer, and the sender. */
export interface Datagram {
  data: Buffer;
  /** The datagram was longer than `length`: the rest is lost (MSG_TRUNC). */
  truncated: boolean;
  address: SocketAddress;
}

/** A port: 0 (the kernel picks a free one) to 65535. */
export function checkPort(port: unknown): number {
  return checkInteger("port", port, 0, 65535);
}

/**
 * getaddrinfo(3): the numeric addresses a host name stands for, in the
 * resolver's order (`family`: AF_INET, AF_INET6 or 0 for both). A name that
 * does not resolve throws code ENOTFOUND (syscall getaddrinfo, `hostname`),
 * as Node's dns.lookup does.
 */
export function lookup(host: string, family: number = C.AF_INET): string[] {
  if (typeof host !== "string" || host === "") {
    throw invalidType(`host must be a non-empty string, got ${show(host)}`);
  }
  if (![0, C.AF_INET, C.AF_INET6].includes(family)) {
    throw invalidValue(`family must be AF_INET, AF_INET6 or 0, got ${show(family)}`);
  }
  return native.getaddrinfo(host, family);
}

/** Checks an address and resolves a host name to its first address (IPv4 first). */
export function resolveAddress(address: SocketAddressInput): SocketAddressInput {
  if (typeof address !== "object" || address === null) {
    throw invalidType(
      `address must be an object like { host: "127.0.0.1", port: 6013 } or { path }, got ${show(address)}`,
    );
  }
  if ("path" in address || "abstract" in address) {
    const name = "path" in address ? address.path : address.abstract;
    if (typeof name !== "string")
      throw invalidType(`a Unix socket name must be a string, got ${show(name)}`);
    return address;
  }
  const { host, port } = address as { host: unknown; port: unknown };
  checkPort(port);
  if (typeof host !== "string" || host === "") {
    throw invalidType(`host must be a non-empty string, got ${show(host)}`);
  }
  if (isIP(host)) return { host, port: port as number };
  const [first] = lookup(host, 0).sort((a, b) => isIP(a) - isIP(b)); // IPv4 (4) before IPv6 (6)
  return { host: first!, port: port as number };
}

/** Shows an address as the errors and tables do: 127.0.0.1:6013, [::1]:80, '/tmp/s', @name. */
export function formatAddress(address: SocketAddress | SocketAddressInput): string {
  if ("path" in address) return `'${address.path}'`;
  if ("abstract" in address) return `@${address.abstract}`;
  if (!("host" in address)) return "?";
  return address.host.includes(":")
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}

/**
 * socket(2): a new, unnamed endpoint; returns its descriptor (with
 * close-on-exec). domain AF_INET / AF_INET6 / AF_UNIX, type SOCK_STREAM
 * (a byte stream: TCP) or SOCK_DGRAM (messages: UDP), passed through.
 */
export function socket(
  domain: number = C.AF_INET,
  type: number = C.SOCK_STREAM,
  protocol = 0,
): number {
  checkInteger("domain", domain, 0, 2 ** 31 - 1);
  checkInteger("type", type, 0, 2 ** 31 - 1);
  checkInteger("protocol", protocol, 0, 2 ** 31 - 1);
  return adopt(native.socket(domain, type, protocol));
}

/** socketpair(2): two connected Unix-domain sockets, both directions (a full-duplex pipe). */
export function socketpair(type: number = C.SOCK_STREAM): [number, number] {
  checkInteger("type", type, 0, 2 ** 31 - 1);
  const [a, b] = native.socketpair(C.AF_UNIX, type, 0);
  return [adopt(a), adopt(b)];
}

/** bind(2): gives the socket its address (주소 할당). Port 0: the kernel picks a free port. */
export function bind(fd: number, address: SocketAddressInput): void {
  native.bind(checkFd(fd), resolveAddress(address));
}

/**
 * listen(2): makes a bound stream socket a listener (요청 대기). `backlog`
 * is how many finished connections the kernel queues for accept() (capped
 * at /proc/sys/net/core/somaxconn).
 */
export function listen(fd: number, backlog = 128): void {
  native.listen(checkFd(fd), checkInteger("backlog", backlog, 0, 2 ** 31 - 1));
}

/** accept(2), awaitable (수락): the next connection in the listener's queue, waiting while there is none. */
export function accept(fd: number, options: WaitOptions = {}): Promise<AcceptedConnection> {
  checkFd(fd);
  checkWaitOptions(options);
  return whenReady(
    fd,
    "readable",
    "accept",
    () => {
      const got = native.acceptNowait(fd);
      if (got === null) return undefined;
      adopt(got.fd);
      return got;
    },
    options,
  );
}

/** accept(2) as C calls it: blocks the whole process until a client connects. */
export function acceptSync(fd: number): AcceptedConnection {
  const got = native.accept(checkFd(fd));
  adopt(got.fd);
  return got;
}

/**
 * connect(2), awaitable (요청): connects a stream socket to a listener (or
 * sets a datagram socket's default peer). Refused at once (ECONNREFUSED)
 * when nothing listens there; waits while a full backlog holds it back.
 */
export async function connect(
  fd: number,
  address: SocketAddressInput,
  options: WaitOptions = {},
): Promise<void> {
  checkFd(fd);
  checkWaitOptions(options);
  const target = resolveAddress(address);
  const deadline = options.timeout === undefined ? undefined : Date.now() + options.timeout;
  for (;;) {
    const state = native.connectStart(fd, target);
    if (state === "connected") return;
    if (state === "in progress") {
      // Writable once connected or failed; a refusal polls as an error,
      // after which whenReady's last attempt reports connect's own errno.
      await whenReady(
        fd,
        "writable",
        "connect",
        () => (native.connectFinish(fd, target) ? true : undefined),
        { ...options, timeout: remaining(deadline) },
      );
      return;
    }
    // "again": a Unix listener's backlog is full, and an unconnected
    // socket has no readiness to wait for: try again shortly.
    // The pause stops early on the AbortSignal and Jupyter's interrupt.
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const disarm = whenStopped(
        "connect",
        { signal: options.signal },
        (error) => (clearTimeout(timer), reject(error)),
        { fd },
      );
      timer = setTimeout(() => (disarm(), resolve()), 2);
    });
    if (deadline !== undefined && Date.now() > deadline)
      throw timedOut("connect", options.timeout!, { fd });
  }
}

/** connect(2) as C calls it: blocks the whole process until connected or refused. */
export function connectSync(fd: number, address: SocketAddressInput): void {
  native.connect(checkFd(fd), resolveAddress(address));
}

/** shutdown(2): SHUT_WR ends this direction (the peer reads end of file) but keeps reading. */
export function shutdown(fd: number, how: number = C.SHUT_WR): void {
  native.shutdown(checkFd(fd), checkInteger("how", how, 0, 2));
}

/** getsockname(2): the socket's own address (the port the kernel picked for port 0). */
export function getsockname(fd: number): SocketAddress {
  return native.getsockname(checkFd(fd));
}

/** getpeername(2): the address of the other end; ENOTCONN when not connected. */
export function getpeername(fd: number): SocketAddress {
  return native.getpeername(checkFd(fd));
}

/** setsockopt(2) of an int option (SO_REUSEADDR, SO_RCVBUF, TCP_NODELAY…); a boolean is 1 or 0. */
export function setsockopt(fd: number, level: number, name: number, value: number | boolean): void {
  checkFd(fd);
  const number =
    typeof value === "boolean"
      ? Number(value)
      : checkInteger("value", value, -(2 ** 31), 2 ** 31 - 1);
  native.setsockoptInt(
    fd,
    checkInteger("level", level, 0, 2 ** 31 - 1),
    checkInteger("name", name, 0, 2 ** 31 - 1),
    number,
  );
}

/** getsockopt(2) of an int option. */
export function getsockopt(fd: number, level: number, name: number): number {
  checkFd(fd);
  return native.getsockoptInt(
    fd,
    checkInteger("level", level, 0, 2 ** 31 - 1),
    checkInteger("name", name, 0, 2 ** 31 - 1),
  );
}

/**
 * SO_LINGER: `false` is the default (close() returns at once, the kernel
 * sends what is left); 0 makes close() reset the connection (the peer's
 * next call fails with ECONNRESET).
 */
export function setLinger(fd: number, seconds: number | false): void {
  checkFd(fd);
  if (seconds === false) native.setLinger(fd, false, 0);
  else native.setLinger(fd, true, checkInteger("seconds", seconds, 0, 2 ** 31 - 1));
}

/** IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP: receive (or stop receiving) a multicast group's datagrams. */
export function setMembership(fd: number, group: string, join = true): void {
  if (typeof group !== "string") throw invalidType(`group must be a string, got ${show(group)}`);
  native.setMembership(checkFd(fd), group, join);
}

/** sendto(2), awaitable: one datagram to `address` (kept whole: a message, not a stream). */
export function sendto(
  fd: number,
  data: ByteInput,
  address: SocketAddressInput,
  options: WaitOptions = {},
): Promise<number> {
  checkFd(fd);
  checkWaitOptions(options);
  const bytes = toBytes(data);
  const target = resolveAddress(address);
  return whenReady(
    fd,
    "writable",
    "sendto",
    () => {
      const n = native.sendtoNowait(fd, bytes, 0, bytes.length, target);
      return n < 0 ? undefined : n;
    },
    options,
  );
}

/** recvfrom(2), awaitable: the next datagram (at most `length` bytes of it) and who sent it. */
export function recvfrom(fd: number, length = 65536, options: WaitOptions = {}): Promise<Datagram> {
  checkFd(fd);
  checkWaitOptions(options);
  const buffer = Buffer.allocUnsafe(checkInteger("length", length, 1, 2 ** 30));
  return whenReady(
    fd,
    "readable",
    "recvfrom",
    () => {
      const got = native.recvfromNowait(fd, buffer, 0, buffer.length);
      if (got === null) return undefined;
      return {
        data: Buffer.from(buffer.subarray(0, got.bytes)),
        truncated: got.truncated,
        address: got.address,
      };
    },
    options,
  );
}

/**
 * sendmsg(2) with SCM_RIGHTS: hands copies of `fds` to the process at the
 * other end of a Unix-domain socket, with `data` (at least one byte carries
 * them). The receiver gets new numbers for the same open files.
 */
export function sendFds(
  fd: number,
  fds: number[],
  data: ByteInput = "\0",
  options: WaitOptions = {},
): Promise<number> {
  checkFd(fd);
  checkWaitOptions(options);
  if (!Array.isArray(fds) || fds.length === 0 || fds.length > 16) {
    throw invalidValue(`fds must be an array of 1 to 16 descriptors, got ${show(fds)}`);
  }
  fds.forEach((each) => checkFd(each, "fds[i]"));
  const bytes = toBytes(data);
  if (bytes.length === 0)
    throw invalidValue("data must hold at least one byte: it carries the descriptors");
  return whenReady(
    fd,
    "writable",
    "sendmsg",
    () => {
      const n = native.sendFdsNowait(fd, bytes, 0, bytes.length, fds);
      return n < 0 ? undefined : n;
    },
    options,
  );
}

/** What receiveFds() took: the bytes and the new descriptors (yours to close). */
export interface ReceivedFds {
  data: Buffer;
  fds: number[];
}

/** recvmsg(2), awaitable: bytes and any SCM_RIGHTS descriptors sent with them (with close-on-exec). */
export function receiveFds(
  fd: number,
  length = 4096,
  options: WaitOptions = {},
): Promise<ReceivedFds> {
  checkFd(fd);
  checkWaitOptions(options);
  const buffer = Buffer.allocUnsafe(checkInteger("length", length, 1, 2 ** 30));
  return whenReady(
    fd,
    "readable",
    "recvmsg",
    () => {
      const got = native.recvFdsNowait(fd, buffer, 0, buffer.length);
      if (got === null) return undefined;
      return { data: Buffer.from(buffer.subarray(0, got.bytes)), fds: got.fds.map(adopt) };
    },
    options,
  );
}
