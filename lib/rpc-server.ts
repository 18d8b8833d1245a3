/**
 * The ONC RPC v2 server (RFC 5531): programs added, then listening on TCP
 * (record marking) and/or UDP; every call answered with its accept or
 * reject status (see rpc.ts's header), malformed messages dropped, never a
 * throw out of the event loop. Registration with the portmapper (RFC 1833).
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import * as C from "./constants";
import { Descriptor } from "./descriptor";
import { checkInteger, checkOptions, invalidType, invalidValue, systemError } from "./errors";
import { native, type NativeSocketAddress } from "./native";
import { watchReady } from "./poll";
import { bind, getsockname, listen, setsockopt, socket } from "./socket";
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  Portmapper,
  type PortMapping,
  type PortmapperOptions,
} from "./portmapper";
import {
  AcceptStat,
  AuthFlavor,
  AuthStat,
  frameRecord,
  LAST_FRAGMENT,
  MsgType,
  networkError,
  RecordReader,
  RejectStat,
  ReplyStat,
  RPC_VERSION,
  xdr_authsys_parms,
  type AuthSysParams,
  type OpaqueAuth,
  type RpcTransport,
} from "./rpc";
import { XdrReader, XdrWriter, xdr, type XdrType } from "./xdr";

/** What a procedure is told about the call it serves. */
export interface RpcCallContext {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  cred: OpaqueAuth;
  /** The AUTH_SYS credential, decoded, when the call carries one. */
  authSys?: AuthSysParams;
  transport: RpcTransport;
  remote: { address: string; port: number };
}

export interface RpcProcedure<A = any, R = any> {
  proc: number;
  name: string;
  args: XdrType<A>;
  result: XdrType<R>;
  handler(arg: A, call: RpcCallContext): R | Promise<R>;
}

/** One procedure of a program, for RpcProgram.procedures (the generated skeletons use it). */
export function procedure<A, R>(
  proc: number,
  name: string,
  args: XdrType<A>,
  result: XdrType<R>,
  handler: (arg: A, call: RpcCallContext) => R | Promise<R>,
): RpcProcedure<A, R> {
  return { proc, name, args, result, handler };
}

/** One version of one program, as a server offers it. Procedure 0 answers void if not given. */
export interface RpcProgram {
  prog: number;
  vers: number;
  name?: string;
  procedures: RpcProcedure[];
  /** Checks a call's credential: AUTH_OK to serve it, any other AuthStat to refuse (AUTH_ERROR). */
  authenticate?(call: RpcCallContext): AuthStat;
}

export interface RpcServerOptions {
  /**
   * Remember this many replies by (client address, port, xid) and send a
   * retransmitted call its first reply again instead of running it twice:
   * at-most-once for UDP's retransmissions. Default 0 (at-least-once).
   */
  duplicateCache?: number;
  /** The largest call record taken over TCP; a longer one closes the connection. */
  maxRecord?: number;
  /** TCP: the largest fragment sent. Default: one fragment. */
  maxFragment?: number;
  /** Called with what a procedure threw (the caller got SYSTEM_ERR). */
  onError?(error: unknown, call: RpcCallContext): void;
}

export interface RpcListenOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** TCP port (0: any free one; false: no TCP). Default 0. */
  tcp?: number | false;
  /** UDP port (0: any free one; false: no UDP). Default 0. */
  udp?: number | false;
}

export interface RpcServeSyncOptions extends RpcListenOptions {
  /** Return after this many calls, whatever their outcome. Default: serve for ever. */
  maxCalls?: number;
  /** Called once with the ports bound, before the first wait (how a parent learns them). */
  onListening?(ports: { tcpPort?: number; udpPort?: number }): void;
}

/** The largest UDP payload over IPv4: 65535 - 20 (IP header) - 8 (UDP header). */
const UDP_MAX_PAYLOAD = 65507;
const READ_SIZE = 65536;

/** A TCP connection: its socket, its records, what is left to send. */
interface Connection {
  sock: Descriptor;
  fd: number;
  remote: { address: string; port: number };
  reader: RecordReader;
  /** Bytes that did not fit the socket's buffer yet (sent when it is writable). */
  out: Uint8Array[];
}
const sameReply = (reply: Uint8Array) => reply;
const NULL_PROCEDURE = procedure(0, "NULL", xdr.void, xdr.void, () => undefined);

/**
 * A socket of `type` bound to host:port (a stream socket listening, with
 * SO_REUSEADDR as Node's listen) and the port it got; closed if a step fails.
 */
function boundSocket(host: string, type: number, port: number): { sock: Descriptor; port: number } {
  const fd = socket(isIPv6(host) ? C.AF_INET6 : C.AF_INET, type);
  const udp = type === C.SOCK_DGRAM ? " (udp)" : "";
  const sock = new Descriptor(fd, `rpc server ${host}:${port}${udp}`);
  try {
    if (!udp) setsockopt(fd, C.SOL_SOCKET, C.SO_REUSEADDR, true);
    bind(fd, { host, port });
    if (!udp) listen(fd, 511);
    const address = getsockname(fd);
    return { sock, port: "port" in address ? address.port : port };
  } catch (error) {
    sock.close();
    throw error;
  }
}

/** An ONC RPC server: programs added, then listening on TCP and/or UDP. */
export class RpcServer {
  private readonly programs = new Map<number, Map<number, RpcProgram>>();
  private readonly writer = new XdrWriter(512);
  private tcp?: Descriptor;
  private tcpPortNumber?: number;
  private udp?: UdpSocket;
  private readonly connections = new Set<Connection>();
  private readonly input = Buffer.allocUnsafe(READ_SIZE);
  private readonly cache = new Map<string, Uint8Array | null>();
  private registered: { pmap: PortmapperOptions; mappings: PortMapping[] } | undefined;
  /** In serveSync: no event loop runs, so nothing waits on it. */
  private blocking = false;
  /** Calls served, by outcome; messages dropped (not even a call header). */
  readonly stats = {
    calls: 0,
    success: 0,
    progUnavail: 0,
    progMismatch: 0,
    procUnavail: 0,
    garbageArgs: 0,
    systemErr: 0,
    rpcMismatch: 0,
    authError: 0,
    dropped: 0,
    duplicates: 0,
  };
  /** What the last procedure that threw threw. */
  lastError?: unknown;

  constructor(private readonly options: RpcServerOptions = {}) {}

  /** Offers one version of a program. */
  add(program: RpcProgram): this {
    let versions = this.programs.get(program.prog);
    if (!versions) this.programs.set(program.prog, (versions = new Map()));
    versions.set(program.vers, program);
    return this;
  }

  get tcpPort(): number | undefined {
    return this.tcp ? this.tcpPortNumber : undefined;
  }

  get udpPort(): number | undefined {
    return this.udp ? this.udp.address().port : undefined;
  }

  /** Listens; resolves with the ports it got. */
  async listen(options: RpcListenOptions = {}): Promise<{ tcpPort?: number; udpPort?: number }> {
    const host = options.host ?? "127.0.0.1";
    const { tcp, udp } = options;
    if (tcp !== false) {
      const { sock: listener, port } = boundSocket(host, C.SOCK_STREAM, tcp ?? 0);
      try {
        watchReady(listener.fd, C.UV_READABLE, () => this.acceptAll(listener));
      } catch (error) {
        listener.close();
        throw error;
      }
      this.tcpPortNumber = port;
      this.tcp = listener;
    }
    if (udp !== false) {
      const socket = createSocket(isIPv6(host) ? "udp6" : "udp4");
      await new Promise<void>((resolve, reject) => {
        socket.once("error", reject);
        socket.bind({ address: host, port: udp ?? 0 }, () => {
          socket.off("error", reject);
          resolve();
        });
      });
      socket.on("error", () => {});
      socket.on("message", (msg, rinfo) => this.serveDatagram(socket, msg, rinfo));
      this.udp = socket;
    }
    return { tcpPort: this.tcpPort, udpPort: this.udpPort };
  }

  /**
   * The server as C's svc_run is, for programs that are not an event loop
   * (a benchmark, a C-like server; never a notebook cell: use listen()
   * there): binds as listen() does, calls `onListening` with the ports, then
   * blocks this whole process in poll(2) over the listener, the UDP socket
   * and every connection, and serves each call as it comes, with the same
   * replies, until `maxCalls` calls are served. Then it closes all it opened
   * and returns the stats. No event loop runs meanwhile, so a procedure must
   * answer at once: one that returns a Promise gets SYSTEM_ERR.
   */
  serveSync(options: RpcServeSyncOptions = {}): RpcServer["stats"] {
    const {
      host = "127.0.0.1",
      tcp,
      udp,
      maxCalls = Infinity,
      onListening,
    } = checkOptions(options, "{ tcp: 0, maxCalls: 100 }");
    if (maxCalls !== Infinity) checkInteger("maxCalls", maxCalls, 0, 2 ** 53 - 1);
    if (onListening !== undefined && typeof onListening !== "function") {
      throw invalidType(`onListening must be a function, got ${typeof onListening}`);
    }
    if (tcp === false && udp === false) {
      throw invalidValue("tcp and udp are both false: serveSync would wait for ever on nothing");
    }
    if (this.tcp || this.udp || this.blocking) {
      throw systemError("EBUSY", "listen", undefined, "this server is listening already");
    }
    const opened: Descriptor[] = [];
    const open = (type: number, port: number) => {
      const bound = boundSocket(host, type, port);
      opened.push(bound.sock);
      return bound;
    };
    this.blocking = true;
    try {
      const listener = tcp === false ? undefined : open(C.SOCK_STREAM, tcp ?? 0);
      const datagram = udp === false ? undefined : open(C.SOCK_DGRAM, udp ?? 0);
      onListening?.({ tcpPort: listener?.port, udpPort: datagram?.port });
      const until = this.stats.calls + maxCalls;
      const fds = opened.map((sock) => sock.fd);
      let set = new Int32Array(3 * 16);
      while (this.stats.calls < until) {
        // The struct pollfd array: the listener, the UDP socket, each connection.
        const conns = [...this.connections];
        const count = fds.length + conns.length;
        if (set.length < 3 * count) set = new Int32Array(6 * count);
        for (let i = 0; i < count; i++) {
          const conn = conns[i - fds.length];
          set[3 * i] = conn ? conn.fd : fds[i]!;
          set[3 * i + 1] = C.POLLIN | (conn && conn.out.length > 0 ? C.POLLOUT : 0);
        }
        native.pollMany(set, count, -1);
        for (let i = 0; i < count; i++) {
          const revents = set[3 * i + 2]!;
          if (revents === 0) continue;
          const fd = set[3 * i]!;
          if (fd === listener?.sock.fd) this.acceptAll(listener.sock);
          else if (fd === datagram?.sock.fd) this.readDatagrams(datagram.sock.fd);
          else {
            const conn = conns[i - fds.length]!;
            if (revents & C.POLLOUT) this.flush(conn);
            // POLLHUP or POLLERR with nothing to read: the read finds the end or the error.
            if (!conn.sock.closed) this.readRecords(conn);
          }
        }
      }
      return { ...this.stats };
    } finally {
      for (const conn of [...this.connections]) this.drop(conn);
      for (const d of opened) d.close();
      this.blocking = false;
    }
  }

  /** serveSync's UDP: every datagram waiting, each call answered to its sender. */
  private readDatagrams(fd: number): void {
    for (;;) {
      let got;
      try {
        got = native.recvfromNowait(fd, this.input, 0, UDP_MAX_PAYLOAD);
      } catch {
        return;
      }
      if (!got) return;
      if (got.truncated || !("host" in got.address)) {
        this.stats.dropped++;
        continue;
      }
      const { host, port } = got.address;
      const message = Uint8Array.prototype.slice.call(this.input, 0, got.bytes);
      const reply = this.dispatch(message, "udp", { address: host, port });
      if (!(reply instanceof Uint8Array)) continue;
      try {
        native.sendtoNowait(fd, reply, 0, reply.length, { host, port });
      } catch {
        this.stats.dropped++;
      }
    }
  }

  /** Every connection the listener has waiting (a failed accept waits for the next). */
  private acceptAll(listener: Descriptor): void {
    for (;;) {
      let accepted;
      try {
        if (listener.closed) return;
        accepted = native.acceptNowait(listener.fd);
      } catch {
        return; // ECONNABORTED, EMFILE…: the listener goes on
      }
      if (!accepted) return;
      this.serveConnection(accepted.fd, accepted.address);
    }
  }

  /** An accepted socket served (TCP_NODELAY, as svc_tcp); closed if that fails. */
  private serveConnection(fd: number, address: NativeSocketAddress): void {
    const sock = new Descriptor(fd, "rpc connection");
    const conn: Connection = {
      sock,
      fd,
      remote:
        "host" in address
          ? { address: address.host, port: address.port }
          : { address: "", port: 0 },
      out: [],
      reader: new RecordReader(
        (record) => {
          const reply = this.dispatch(record, "tcp", conn.remote);
          if (reply === undefined) return;
          if (reply instanceof Promise) {
            reply.then(
              (bytes) => bytes && this.send(conn, bytes),
              () => {},
            );
          } else this.send(conn, reply);
        },
        () => {
          this.stats.dropped++;
          this.drop(conn);
        },
        this.options.maxRecord,
      ),
    };
    try {
      setsockopt(fd, C.IPPROTO_TCP, C.TCP_NODELAY, true);
      this.watch(conn, C.UV_READABLE);
    } catch {
      sock.close();
      return;
    }
    this.connections.add(conn);
  }

  /**
   * Has the event loop call ready() when conn is ready for `events`. Not in
   * serveSync, whose poll(2) asks for every connection's POLLIN, and for
   * POLLOUT while conn.out holds bytes.
   */
  private watch(conn: Connection, events: number): void {
    if (this.blocking) return;
    watchReady(conn.fd, events, (errno, ready) => this.ready(conn, errno, ready));
  }

  /** A connection's readiness: its calls in, or room for what waits to go out. */
  private ready(conn: Connection, errno: number, events: number): void {
    if (errno !== 0) return this.drop(conn);
    if (events & C.UV_WRITABLE) this.flush(conn);
    if (!(events & C.UV_READABLE) || conn.sock.closed) return;
    this.readRecords(conn);
  }

  /** What the connection has to read, its calls served; end of file or a reset drops it. */
  private readRecords(conn: Connection): void {
    for (;;) {
      let n: number;
      try {
        n = native.recvNowait(conn.fd, this.input, 0, READ_SIZE);
      } catch {
        return this.drop(conn); // ECONNRESET
      }
      if (n < 0) return;
      if (n === 0) return this.drop(conn);
      // A copy: the reader may keep part of it for the next read.
      conn.reader.push(Uint8Array.prototype.slice.call(this.input, 0, n));
      if (n < READ_SIZE || conn.sock.closed) return;
    }
  }

  private send(conn: Connection, bytes: Uint8Array): void {
    if (conn.sock.closed) return;
    if (conn.out.length > 0) {
      conn.out.push(bytes);
      return;
    }
    let n: number;
    try {
      n = native.sendNowait(conn.fd, bytes, 0, bytes.length);
    } catch {
      return this.drop(conn); // EPIPE, ECONNRESET: the client went away
    }
    if (n === bytes.length) return;
    conn.out.push(bytes.subarray(Math.max(0, n)));
    this.watch(conn, C.UV_READABLE | C.UV_WRITABLE);
  }

  /** Sends what waited for room; stops watching for it once all is sent. */
  private flush(conn: Connection): void {
    while (conn.out.length > 0 && !conn.sock.closed) {
      const bytes = conn.out[0]!;
      let n: number;
      try {
        n = native.sendNowait(conn.fd, bytes, 0, bytes.length);
      } catch {
        return this.drop(conn);
      }
      if (n < 0) return;
      if (n < bytes.length) {
        conn.out[0] = bytes.subarray(n);
        return;
      }
      conn.out.shift();
    }
    if (!conn.sock.closed) this.watch(conn, C.UV_READABLE);
  }

  private drop(conn: Connection): void {
    if (conn.sock.closed) return;
    this.connections.delete(conn);
    conn.out = [];
    conn.sock.close(); // stops its watch first
  }

  private serveDatagram(socket: UdpSocket, msg: Buffer, rinfo: RemoteInfo): void {
    const remote = { address: rinfo.address, port: rinfo.port };
    const reply = this.dispatch(msg, "udp", remote);
    if (reply === undefined) return;
    const send = (bytes: Uint8Array | undefined) => {
      if (!bytes || this.udp !== socket) return; // closed while the procedure ran
      try {
        socket.send(bytes, rinfo.port, rinfo.address, () => {});
      } catch {
        this.stats.dropped++;
      }
    };
    if (reply instanceof Promise) reply.then(send, () => {});
    else send(reply);
  }

  /**
   * One call message in, its reply out (with a record mark for TCP), or
   * undefined to drop it. Synchronous when the procedure is.
   */
  private dispatch(
    record: Uint8Array,
    transport: RpcTransport,
    remote: { address: string; port: number },
  ): Uint8Array | Promise<Uint8Array | undefined> | undefined {
    try {
      return this.dispatchCall(record, transport, remote);
    } catch {
      this.stats.dropped++;
      return undefined;
    }
  }

  private dispatchCall(
    record: Uint8Array,
    transport: RpcTransport,
    remote: { address: string; port: number },
  ): Uint8Array | Promise<Uint8Array | undefined> | undefined {
    const r = new XdrReader(record);
    let xid: number, rpcvers: number, prog: number, vers: number, proc: number;
    try {
      xid = r.uint();
      if (r.uint() !== MsgType.CALL) {
        this.stats.dropped++;
        return undefined;
      }
      rpcvers = r.uint();
      if (rpcvers !== RPC_VERSION) {
        this.stats.calls++;
        this.stats.rpcMismatch++;
        return this.denied(transport, xid, (w) => {
          w.uint(RejectStat.RPC_MISMATCH);
          w.uint(RPC_VERSION);
          w.uint(RPC_VERSION);
        });
      }
      prog = r.uint();
      vers = r.uint();
      proc = r.uint();
    } catch {
      this.stats.dropped++;
      return undefined;
    }
    this.stats.calls++;
    const authError = (stat: AuthStat) => {
      this.stats.authError++;
      return this.denied(transport, xid, (w) => {
        w.uint(RejectStat.AUTH_ERROR);
        w.uint(stat);
      });
    };
    let cred: OpaqueAuth;
    let authSysParams: AuthSysParams | undefined;
    try {
      cred = { flavor: r.uint(), body: r.opaque(400) };
    } catch {
      return authError(AuthStat.AUTH_BADCRED);
    }
    try {
      r.uint();
      r.opaque(400);
    } catch {
      return authError(AuthStat.AUTH_BADVERF);
    }
    if (cred.flavor === AuthFlavor.AUTH_SYS) {
      try {
        const cr = new XdrReader(cred.body);
        authSysParams = xdr_authsys_parms.decode(cr);
        cr.done();
      } catch {
        return authError(AuthStat.AUTH_BADCRED);
      }
    } else if (cred.flavor !== AuthFlavor.AUTH_NONE) {
      return authError(AuthStat.AUTH_REJECTEDCRED);
    }

    const versions = this.programs.get(prog);
    if (!versions) {
      this.stats.progUnavail++;
      return this.accepted(transport, xid, AcceptStat.PROG_UNAVAIL);
    }
    const program = versions.get(vers);
    if (!program) {
      this.stats.progMismatch++;
      const numbers = [...versions.keys()];
      return this.accepted(transport, xid, AcceptStat.PROG_MISMATCH, (w) => {
        w.uint(Math.min(...numbers));
        w.uint(Math.max(...numbers));
      });
    }
    const p =
      program.procedures.find((q) => q.proc === proc) ?? (proc === 0 ? NULL_PROCEDURE : undefined);
    if (!p) {
      this.stats.procUnavail++;
      return this.accepted(transport, xid, AcceptStat.PROC_UNAVAIL);
    }
    const context: RpcCallContext = { xid, prog, vers, proc, cred, transport, remote };
    if (authSysParams) context.authSys = authSysParams;
    if (program.authenticate) {
      let stat: AuthStat;
      try {
        stat = program.authenticate(context);
      } catch {
        stat = AuthStat.AUTH_FAILED;
      }
      if (stat !== AuthStat.AUTH_OK) return authError(stat);
    }
    let arg: unknown;
    try {
      arg = p.args.decode(r);
      r.done();
    } catch {
      this.stats.garbageArgs++;
      return this.accepted(transport, xid, AcceptStat.GARBAGE_ARGS);
    }

    // At-most-once: a call seen before gets its reply again (or nothing yet).
    const limit = this.options.duplicateCache ?? 0;
    const key = limit > 0 ? `${transport} ${remote.address} ${remote.port} ${xid}` : "";
    if (limit > 0) {
      if (this.cache.has(key)) {
        this.stats.duplicates++;
        return this.cache.get(key) ?? undefined;
      }
      this.cache.set(key, null);
      if (this.cache.size > limit) this.cache.delete(this.cache.keys().next().value!);
    }
    const remember =
      limit === 0
        ? sameReply
        : (reply: Uint8Array) => {
            if (this.cache.has(key)) this.cache.set(key, reply);
            return reply;
          };

    let value: unknown;
    try {
      value = p.handler(arg, context);
    } catch (error) {
      return remember(this.systemError(transport, xid, error, context));
    }
    if (value instanceof Promise && this.blocking) {
      value.catch(() => {}); // its outcome has nowhere to go
      const why = `procedure ${p.name} returned a Promise: serveSync serves procedures that answer at once`;
      return remember(this.systemError(transport, xid, new Error(why), context));
    }
    if (value instanceof Promise) {
      return value.then(
        (v) => remember(this.success(transport, xid, p, v, context)),
        (error) => remember(this.systemError(transport, xid, error, context)),
      );
    }
    return remember(this.success(transport, xid, p, value, context));
  }

  private systemError(
    transport: RpcTransport,
    xid: number,
    error: unknown,
    context: RpcCallContext,
  ): Uint8Array {
    this.stats.systemErr++;
    this.lastError = error;
    try {
      this.options.onError?.(error, context);
    } catch {
      // the hook's own failure changes nothing
    }
    return this.accepted(transport, xid, AcceptStat.SYSTEM_ERR);
  }

  private success(
    transport: RpcTransport,
    xid: number,
    p: RpcProcedure,
    value: unknown,
    context: RpcCallContext,
  ): Uint8Array {
    try {
      const reply = this.accepted(transport, xid, AcceptStat.SUCCESS, (w) =>
        p.result.encode(w, value),
      );
      if (transport === "udp" && reply.length > UDP_MAX_PAYLOAD) {
        throw networkError(
          "EMSGSIZE",
          "sendto",
          `a reply of ${reply.length} bytes does not fit a datagram`,
        );
      }
      this.stats.success++;
      return reply;
    } catch (error) {
      return this.systemError(transport, xid, error, context);
    }
  }

  private begin(transport: RpcTransport, xid: number): XdrWriter {
    const w = this.writer.reset();
    if (transport === "tcp") w.uint(0);
    w.uint(xid);
    w.uint(MsgType.REPLY);
    return w;
  }

  private finish(transport: RpcTransport, w: XdrWriter): Uint8Array {
    if (transport === "udp") return w.bytes();
    const max = this.options.maxFragment ?? 0x7fffffff;
    if (w.length - 4 <= max) {
      w.patchUint(0, (LAST_FRAGMENT | (w.length - 4)) >>> 0);
      return w.bytes();
    }
    return frameRecord(w.written().subarray(4), max);
  }

  private accepted(
    transport: RpcTransport,
    xid: number,
    stat: AcceptStat,
    body?: (w: XdrWriter) => void,
  ): Uint8Array {
    const w = this.begin(transport, xid);
    w.uint(ReplyStat.MSG_ACCEPTED);
    w.uint(AuthFlavor.AUTH_NONE);
    w.uint(0);
    w.uint(stat);
    body?.(w);
    return this.finish(transport, w);
  }

  private denied(transport: RpcTransport, xid: number, body: (w: XdrWriter) => void): Uint8Array {
    const w = this.begin(transport, xid);
    w.uint(ReplyStat.MSG_DENIED);
    body(w);
    return this.finish(transport, w);
  }

  /**
   * Registers every program version on every transport it listens on with
   * the portmapper (PMAPPROC_SET), replacing an older registration of the
   * same program and version; close() unregisters.
   */
  async register(options: PortmapperOptions = {}): Promise<PortMapping[]> {
    const pmap = await Portmapper.connect(options);
    const mappings: PortMapping[] = [];
    try {
      for (const [prog, versions] of this.programs) {
        for (const vers of versions.keys()) {
          await pmap.unset({ prog, vers, prot: IPPROTO_TCP, port: 0 }, options);
          if (this.tcpPort) mappings.push({ prog, vers, prot: IPPROTO_TCP, port: this.tcpPort });
          if (this.udpPort) mappings.push({ prog, vers, prot: IPPROTO_UDP, port: this.udpPort });
        }
      }
      for (const m of mappings) {
        if (!(await pmap.set(m, options))) {
          throw networkError(
            "EPROTO",
            "pmap_set",
            `the portmapper refused ${m.prog} ${m.vers} ${m.prot} ${m.port}`,
          );
        }
      }
    } finally {
      pmap.close();
    }
    this.registered = { pmap: options, mappings };
    return mappings;
  }

  /** Removes this server's registrations from the portmapper (PMAPPROC_UNSET). */
  async unregister(): Promise<void> {
    const registered = this.registered;
    if (!registered) return;
    this.registered = undefined;
    const pmap = await Portmapper.connect(registered.pmap);
    try {
      const done = new Set<string>();
      for (const m of registered.mappings) {
        const key = `${m.prog}/${m.vers}`;
        if (done.has(key)) continue;
        done.add(key);
        await pmap.unset(m, registered.pmap);
      }
    } finally {
      pmap.close();
    }
  }

  /** Unregisters (if registered), stops listening, closes every connection. */
  async close(): Promise<void> {
    try {
      await this.unregister();
    } finally {
      for (const conn of [...this.connections]) this.drop(conn);
      const tcp = this.tcp;
      this.tcp = undefined;
      tcp?.close();
      const udp = this.udp;
      this.udp = undefined;
      if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
