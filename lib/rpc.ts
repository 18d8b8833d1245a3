/**
 * ONC RPC version 2 (RFC 5531), Sun's remote procedure call, the one NFS
 * and rpcbind speak: a client and a server over TCP (with record marking:
 * each message a record of one or more fragments behind a 4-byte header)
 * and over UDP (one message a datagram; the client retransmits with the
 * same xid until the reply comes or the time-out passes).
 *
 *   const server = new RpcServer().add(program);     // prog, vers, procedures
 *   const { tcpPort, udpPort } = await server.listen();
 *   const client = await RpcClient.connect({ port: tcpPort, prog, vers });
 *   const sum = await client.call(1, argsCodec, [1, 2, 3], xdr.hyper, { timeout: 1000 });
 *
 * `RpcClient.connectSync` and `callSync` are the blocking forms, for programs
 * that are not an event loop (a benchmark, a worker, a C-like client; never
 * a notebook cell): the library's own socket calls on a blocking socket,
 * write, poll and read, as libtirpc's clnt_call makes them.
 *
 * The IDL compiler (lib/rpcgen.ts) writes typed stubs over `RpcClient.call`
 * and skeletons that `RpcServer.add` takes. This file: the messages and the
 * client; rpc-server.ts the server; portmapper.ts the portmapper's client.
 *
 * What the server answers (RFC 5531 §9), and what the client throws:
 *   reply MSG_DENIED  RPC_MISMATCH (rpcvers not 2; low/high)     RpcError RPC_MISMATCH
 *                     AUTH_ERROR (a flavor it does not take, a   RpcError RPC_AUTH_ERROR
 *                     malformed AUTH_SYS body, a program's check) (authStat)
 *   MSG_ACCEPTED      PROG_UNAVAIL, PROG_MISMATCH (low/high),     RpcError RPC_PROG_UNAVAIL, ...
 *                     PROC_UNAVAIL, GARBAGE_ARGS (arguments that   RPC_GARBAGE_ARGS
 *                     do not decode), SYSTEM_ERR (the procedure    RPC_SYSTEM_ERR
 *                     threw, or its result does not encode)
 * A message that is not even a call header (truncated, not a CALL) is
 * dropped, as libtirpc drops it; the server never throws out of the loop.
 * Transport failures are SystemErrors: ETIMEDOUT (timeout), ECONNRESET (the
 * server went away mid-call), Node's own ECONNREFUSED.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import net, { isIPv6 } from "node:net";
import os from "node:os";
import * as C from "./constants";
import { Descriptor } from "./descriptor";
import {
  checkInteger,
  fromEventLoop,
  invalidType,
  invalidValue,
  show,
  SystemError,
  timedOut,
} from "./errors";
import { readIntoSync, writeSync } from "./fd";
import { native } from "./native";
import { PMAP_PORT, PMAP_PROG, PMAP_VERS, PmapProc, Portmapper, xdr_mapping } from "./portmapper";
import { connectSync, setsockopt, socket } from "./socket";
import { checkWaitOptions, whenStopped, type WaitOptions } from "./waiting";
import { XdrError, XdrReader, XdrWriter, xdr, type XdrType } from "./xdr";

export const RPC_VERSION = 2;

export enum MsgType {
  CALL = 0,
  REPLY = 1,
}
export enum ReplyStat {
  MSG_ACCEPTED = 0,
  MSG_DENIED = 1,
}
export enum AcceptStat {
  SUCCESS = 0,
  PROG_UNAVAIL = 1,
  PROG_MISMATCH = 2,
  PROC_UNAVAIL = 3,
  GARBAGE_ARGS = 4,
  SYSTEM_ERR = 5,
}
export enum RejectStat {
  RPC_MISMATCH = 0,
  AUTH_ERROR = 1,
}
export enum AuthFlavor {
  AUTH_NONE = 0,
  AUTH_SYS = 1,
  AUTH_SHORT = 2,
  AUTH_DH = 3,
  RPCSEC_GSS = 6,
}
export enum AuthStat {
  AUTH_OK = 0,
  AUTH_BADCRED = 1,
  AUTH_REJECTEDCRED = 2,
  AUTH_BADVERF = 3,
  AUTH_REJECTEDVERF = 4,
  AUTH_TOOWEAK = 5,
  AUTH_INVALIDRESP = 6,
  AUTH_FAILED = 7,
}

/** libtirpc's words for each auth_stat (auth_errmsg). */
const AUTH_MESSAGES: Record<AuthStat, string> = {
  [AuthStat.AUTH_OK]: "Authentication OK",
  [AuthStat.AUTH_BADCRED]: "Invalid client credential",
  [AuthStat.AUTH_REJECTEDCRED]: "Server rejected credential",
  [AuthStat.AUTH_BADVERF]: "Invalid client verifier",
  [AuthStat.AUTH_REJECTEDVERF]: "Server rejected verifier",
  [AuthStat.AUTH_TOOWEAK]: "Client credential too weak",
  [AuthStat.AUTH_INVALIDRESP]: "Invalid server verifier",
  [AuthStat.AUTH_FAILED]: "Failed (unspecified error)",
};

/** An opaque_auth: a flavor and up to 400 bytes the flavor defines. */
export interface OpaqueAuth {
  flavor: number;
  body: Uint8Array;
}

/** AUTH_SYS's credential (RFC 5531 appendix A): who the caller says it is. */
export interface AuthSysParams {
  stamp: number;
  machinename: string;
  uid: number;
  gid: number;
  gids: number[];
}

export const xdr_authsys_parms = xdr.struct<AuthSysParams>("authsys_parms", {
  stamp: xdr.uint,
  machinename: xdr.string(255),
  uid: xdr.uint,
  gid: xdr.uint,
  gids: xdr.array(xdr.uint, 16),
});

const EMPTY = new Uint8Array(0);
/** AUTH_NONE: no credential at all. */
export const authNone: OpaqueAuth = Object.freeze({ flavor: AuthFlavor.AUTH_NONE, body: EMPTY });

/** An AUTH_SYS credential; by default this process's uid, gid, groups and host name. */
export function authSys(params: Partial<AuthSysParams> = {}): OpaqueAuth {
  const full: AuthSysParams = {
    stamp: params.stamp ?? Math.floor(Date.now() / 1000) >>> 0,
    machinename: params.machinename ?? os.hostname().slice(0, 255),
    uid: params.uid ?? process.getuid?.() ?? 0,
    gid: params.gid ?? process.getgid?.() ?? 0,
    gids: params.gids ?? (process.getgroups?.() ?? []).slice(0, 16),
  };
  const w = new XdrWriter(64);
  xdr_authsys_parms.encode(w, full);
  return { flavor: AuthFlavor.AUTH_SYS, body: w.bytes() };
}

export type RpcErrorCode =
  | "RPC_PROG_UNAVAIL"
  | "RPC_PROG_MISMATCH"
  | "RPC_PROC_UNAVAIL"
  | "RPC_GARBAGE_ARGS"
  | "RPC_SYSTEM_ERR"
  | "RPC_MISMATCH"
  | "RPC_AUTH_ERROR"
  | "RPC_CANT_DECODE_RES"
  | "RPC_PROG_NOT_REGISTERED";

/** libtirpc's clnt_sperrno words, so that a C programmer recognises them. */
const RPC_MESSAGES: Record<RpcErrorCode, string> = {
  RPC_PROG_UNAVAIL: "RPC: Program unavailable",
  RPC_PROG_MISMATCH: "RPC: Program/version mismatch",
  RPC_PROC_UNAVAIL: "RPC: Procedure unavailable",
  RPC_GARBAGE_ARGS: "RPC: Server can't decode arguments",
  RPC_SYSTEM_ERR: "RPC: Remote system error",
  RPC_MISMATCH: "RPC: Incompatible versions of RPC",
  RPC_AUTH_ERROR: "RPC: Authentication error",
  RPC_CANT_DECODE_RES: "RPC: Can't decode result",
  RPC_PROG_NOT_REGISTERED: "RPC: Program not registered",
};

/** What the server answered instead of a result (or a reply that does not decode). */
export class RpcError extends Error {
  readonly code: RpcErrorCode;
  /** The C library's call that reports the same failure, as a SystemError names its call. */
  readonly syscall = "clnt_call";
  readonly xid?: number;
  readonly prog: number;
  readonly vers: number;
  readonly proc?: number;
  /** PROG_MISMATCH: the versions the server has; RPC_MISMATCH: the RPC versions. */
  readonly low?: number;
  readonly high?: number;
  /** AUTH_ERROR: why. */
  readonly authStat?: AuthStat;
  constructor(
    code: RpcErrorCode,
    call: { xid?: number; prog: number; vers: number; proc?: number },
    extra: { low?: number; high?: number; authStat?: AuthStat; detail?: string } = {},
  ) {
    let words = RPC_MESSAGES[code];
    if (extra.low !== undefined)
      words += `; low version = ${extra.low}, high version = ${extra.high}`;
    if (extra.authStat !== undefined) {
      words += `; why = ${AUTH_MESSAGES[extra.authStat as AuthStat] ?? `auth_stat ${extra.authStat}`}`;
    }
    const proc = call.proc === undefined ? "" : ` proc ${call.proc}`;
    super(
      `clnt_call: ${code} (${words}) prog ${call.prog} vers ${call.vers}${proc}${extra.detail ? `: ${extra.detail}` : ""}`,
    );
    this.name = "RpcError";
    this.code = code;
    this.xid = call.xid;
    this.prog = call.prog;
    this.vers = call.vers;
    this.proc = call.proc;
    if (extra.low !== undefined) this.low = extra.low;
    if (extra.high !== undefined) this.high = extra.high;
    if (extra.authStat !== undefined) this.authStat = extra.authStat;
  }
}

/** A SystemError of a network errno the addon does not list (errno from Node's own table). */
export function networkError(
  code: "ECONNRESET" | "ECONNREFUSED" | "EMSGSIZE" | "EPROTO",
  syscall: string,
  detail: string,
): SystemError {
  const reasons = {
    ECONNRESET: "Connection reset by peer",
    ECONNREFUSED: "Connection refused",
    EMSGSIZE: "Message too long",
    EPROTO: "Protocol error",
  };
  const error = new SystemError(`${syscall}: ${code} (${reasons[code]}) ${detail}`);
  error.code = code;
  error.errno = -os.constants.errno[code];
  error.syscall = syscall;
  return fromEventLoop(error);
}

// ---------------------------------------------------------------- record marking

/** The record mark's flag of a record's last fragment. */
export const LAST_FRAGMENT = 0x80000000;
/** The largest record either side takes by default: 4 MiB. */
export const RPC_MAX_RECORD = 4 * 1024 * 1024;

/** A record as fragments on the wire: each at most `maxFragment` bytes, the last flagged. */
export function frameRecord(body: Uint8Array, maxFragment = 0x7fffffff): Uint8Array {
  const count = Math.max(1, Math.ceil(body.length / maxFragment));
  const out = new Uint8Array(body.length + 4 * count);
  const view = new DataView(out.buffer);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const part = body.subarray(i * maxFragment, Math.min(body.length, (i + 1) * maxFragment));
    view.setUint32(at, (i === count - 1 ? LAST_FRAGMENT : 0) | part.length);
    out.set(part, at + 4);
    at += 4 + part.length;
  }
  return out;
}

/**
 * Reassembles records from a TCP byte stream: fragments of any size, split
 * anyhow across reads. A record larger than `maxRecord` calls `onError`.
 */
export class RecordReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private need = -1; // bytes of the current fragment still to come; -1: a header
  private last = false;
  private parts: Uint8Array[] = [];
  private size = 0;
  private failed = false;

  constructor(
    private readonly onRecord: (record: Uint8Array) => void,
    private readonly onError: (reason: string) => void,
    private readonly maxRecord = RPC_MAX_RECORD,
  ) {}

  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    this.buffered -= n;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }

  push(chunk: Uint8Array): void {
    if (this.failed) return;
    // The usual read: exactly one record of one fragment, nothing buffered.
    if (this.need < 0 && this.buffered === 0 && this.size === 0 && chunk.length >= 4) {
      const header = ((chunk[0]! << 24) | (chunk[1]! << 16) | (chunk[2]! << 8) | chunk[3]!) >>> 0;
      if (header - LAST_FRAGMENT === chunk.length - 4 && chunk.length - 4 <= this.maxRecord) {
        this.onRecord(chunk.subarray(4));
        return;
      }
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < 4) return;
        const h = this.take(4);
        const header = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
        this.last = header >= LAST_FRAGMENT;
        this.need = header & 0x7fffffff;
        if (this.size + this.need > this.maxRecord) {
          this.failed = true;
          this.onError(`a record of more than ${this.maxRecord} bytes`);
          return;
        }
      }
      if (this.buffered < this.need) return;
      const fragment = this.need ? this.take(this.need) : new Uint8Array(0);
      this.need = -1;
      if (!this.last) {
        this.parts.push(fragment);
        this.size += fragment.length;
        continue;
      }
      let record = fragment;
      if (this.parts.length) {
        this.parts.push(fragment);
        record = new Uint8Array(this.size + fragment.length);
        let at = 0;
        for (const p of this.parts) {
          record.set(p, at);
          at += p.length;
        }
        this.parts = [];
        this.size = 0;
      }
      this.onRecord(record);
      if (this.failed) return;
    }
  }
}

// ---------------------------------------------------------------- client

export type RpcTransport = "tcp" | "udp";

export interface RpcClientOptions extends WaitOptions {
  /** The server's host. Default 127.0.0.1. */
  host?: string;
  /** The server's port; without one the portmapper on `host` is asked (GETPORT). */
  port?: number;
  /** Default "tcp". */
  transport?: RpcTransport;
  prog: number;
  vers: number;
  /** The credential of every call: authNone (default) or authSys(). */
  auth?: OpaqueAuth;
  /** UDP: milliseconds between retransmissions of a call (the same xid). Default 500. */
  retransmit?: number;
  /** TCP: the largest fragment sent; a longer record goes as several. Default: one fragment. */
  maxFragment?: number;
  /** The largest reply record taken. Default RPC_MAX_RECORD. */
  maxRecord?: number;
  /** The portmapper asked when there is no port (default 111). */
  portmapperPort?: number;
  /** The RPC version in the call header: always 2, but for showing RPC_MISMATCH. */
  rpcvers?: number;
}

export interface RpcCallOptions extends WaitOptions {
  /** UDP: this call's retransmission interval (ms). */
  retransmit?: number;
}

/** RpcClient.connectSync's options: connect()'s but an AbortSignal (nothing can stop a blocking call). */
export type RpcClientSyncOptions = Omit<RpcClientOptions, "signal">;

/** callSync's: a time-out (ms; default none: block until the reply) and UDP's retransmission. */
export interface RpcCallSyncOptions {
  timeout?: number;
  retransmit?: number;
}

interface Pending {
  proc: number;
  result: XdrType<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  disarm(): void;
}

/** A client of one program version on one server (libtirpc's CLIENT from clnt_create). */
export class RpcClient {
  readonly prog: number;
  readonly vers: number;
  readonly transport: RpcTransport;
  readonly host: string;
  readonly port: number;
  /** Calls sent, replies received, datagrams sent again, replies dropped (no such xid). */
  readonly stats = { calls: 0, replies: 0, retransmissions: 0, dropped: 0 };
  private auth: OpaqueAuth;
  private xid = (Math.random() * 0x100000000) >>> 0;
  private readonly writer = new XdrWriter(512);
  private readonly pending = new Map<number, Pending>();
  private readonly retransmit: number;
  private readonly maxFragment: number;
  private readonly rpcvers: number;
  private tcp?: net.Socket;
  private udp?: UdpSocket;
  /** connectSync's blocking socket, and what it has read but not yet taken. */
  private sock?: Descriptor;
  private input = Buffer.alloc(0);
  private inStart = 0;
  private inEnd = 0;
  private readonly maxRecord: number;
  private closed = false;
  private lastError?: Error;

  private constructor(options: RpcClientOptions, port: number) {
    this.prog = options.prog;
    this.vers = options.vers;
    this.transport = options.transport ?? "tcp";
    this.host = options.host ?? "127.0.0.1";
    this.port = port;
    this.auth = options.auth ?? authNone;
    this.retransmit = options.retransmit ?? 500;
    this.maxFragment = options.maxFragment ?? 0x7fffffff;
    this.rpcvers = options.rpcvers ?? RPC_VERSION;
    this.maxRecord = options.maxRecord ?? RPC_MAX_RECORD;
  }

  /**
   * Connects (TCP) or opens a socket (UDP) to the server of `prog`/`vers`;
   * without a port, asks the portmapper first (RPC_PROG_NOT_REGISTERED if it
   * does not know the program, a clear ECONNREFUSED if there is none).
   */
  static async connect(options: RpcClientOptions): Promise<RpcClient> {
    checkClientOptions(options);
    const host = options.host ?? "127.0.0.1";
    const transport = options.transport ?? "tcp";
    let port = options.port;
    if (port === undefined) {
      const pmap = await Portmapper.connect({
        host,
        port: options.portmapperPort,
        timeout: options.timeout,
        signal: options.signal,
      });
      try {
        port = await pmap.getPort(options.prog, options.vers, transport, options);
      } finally {
        pmap.close();
      }
      if (port === 0) throw notRegistered(options, host, transport);
    }
    const client = new RpcClient(options, port);
    if (transport === "tcp") await client.openTcp(options, options.maxRecord);
    else client.openUdp();
    return client;
  }

  /**
   * The blocking form of connect(), as C's clnt_create: socket(2) and a
   * blocking connect(2) (TCP with TCP_NODELAY; UDP connected, so that only
   * the server's datagrams arrive), the portmapper asked with a blocking
   * GETPORT first when there is no port. The client calls with callSync
   * only. For programs that are not an event loop (a benchmark, a worker, a
   * C-like client); never in a notebook cell, which it would freeze.
   */
  static connectSync(options: RpcClientSyncOptions): RpcClient {
    checkClientOptions(options);
    if ((options as RpcClientOptions).signal !== undefined) {
      throw invalidValue("connectSync blocks: an AbortSignal cannot stop it (use connect)");
    }
    const host = options.host ?? "127.0.0.1";
    const transport = options.transport ?? "tcp";
    let port = options.port;
    if (port === undefined) {
      const pmap = RpcClient.connectSync({
        host,
        port: options.portmapperPort ?? PMAP_PORT,
        prog: PMAP_PROG,
        vers: PMAP_VERS,
      });
      try {
        port = pmap.callSync(
          PmapProc.GETPORT,
          xdr_mapping,
          { prog: options.prog, vers: options.vers, prot: transport === "tcp" ? 6 : 17, port: 0 },
          xdr.uint,
          { timeout: options.timeout },
        );
      } finally {
        pmap.close();
      }
      if (port === 0) throw notRegistered(options, host, transport);
    }
    const tcp = transport === "tcp";
    const fd = socket(isIPv6(host) ? C.AF_INET6 : C.AF_INET, tcp ? C.SOCK_STREAM : C.SOCK_DGRAM);
    const sock = new Descriptor(fd, `rpc ${transport} ${host}:${port}`);
    try {
      if (tcp) setsockopt(fd, C.IPPROTO_TCP, C.TCP_NODELAY, true);
      connectSync(fd, { host, port });
    } catch (error) {
      sock.close();
      throw error;
    }
    const client = new RpcClient(options, port);
    client.sock = sock;
    client.input = Buffer.allocUnsafe(tcp ? 8192 : 65536);
    return client;
  }

  private openTcp(options: WaitOptions, maxRecord?: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
      const disarm = whenStopped("connect", options, (error) => {
        socket.destroy();
        reject(error);
      });
      const records = new RecordReader(
        (record) => this.onReply(record),
        (reason) => {
          this.lastError = networkError(
            "EPROTO",
            "read",
            `from ${this.host}:${this.port}: ${reason}`,
          );
          socket.destroy();
        },
        maxRecord,
      );
      socket.once("connect", () => {
        disarm();
        resolve();
      });
      socket.on("data", (chunk) => records.push(chunk));
      socket.on("error", (error) => {
        this.lastError = error;
        disarm();
        reject(fromEventLoop(error));
      });
      socket.on("close", () => this.fail());
      this.tcp = socket;
    });
  }

  private openUdp(): void {
    const socket = createSocket(isIPv6(this.host) ? "udp6" : "udp4");
    socket.on("message", (msg) => this.onReply(msg));
    socket.on("error", (error) => {
      this.lastError = error;
    });
    this.udp = socket;
  }

  /** Rejects every pending call: the connection is gone. */
  private fail(): void {
    const error =
      this.closed && !this.lastError
        ? networkError("ECONNRESET", "clnt_call", "the client was closed")
        : networkError(
            "ECONNRESET",
            "read",
            `${this.host}:${this.port}: the server closed the connection` +
              (this.lastError ? ` (${this.lastError.message})` : ""),
          );
    this.closed = true;
    for (const [xid, p] of this.pending) {
      this.pending.delete(xid);
      p.disarm();
      p.reject(error);
    }
  }

  /** Sets the credential of the calls that follow. */
  setAuth(auth: OpaqueAuth): void {
    this.auth = auth;
  }

  /** Pending calls (sent, no reply yet). */
  get pendingCalls(): number {
    return this.pending.size;
  }

  /**
   * Calls procedure `proc` with `arg` (encoded by `args`) and resolves with
   * the result decoded by `result`. Rejects with an RpcError for what the
   * server refused, ETIMEDOUT after `timeout`, the signal's reason, or
   * ECONNRESET when the connection goes. Without a timeout a call waits for
   * its reply, the signal or Jupyter's interrupt (over UDP retransmitting
   * all the while, as libtirpc's clnt_call does until its own time-out).
   */
  call<A, R>(
    proc: number,
    args: XdrType<A>,
    arg: A,
    result: XdrType<R>,
    options: RpcCallOptions = {},
  ): Promise<R> {
    if (this.closed)
      return Promise.reject(networkError("ECONNRESET", "clnt_call", "the client is closed"));
    if (this.sock) {
      return Promise.reject(
        invalidValue("this client is connectSync's: it calls with callSync (or connect for call)"),
      );
    }
    checkWaitOptions(options);
    const xid = (this.xid = (this.xid + 1) >>> 0);
    const tcp = this.transport === "tcp";
    let bytes: Uint8Array;
    try {
      bytes = this.encodeCall(xid, proc, args, arg, true);
    } catch (error) {
      return Promise.reject(error);
    }
    this.stats.calls++;
    return new Promise<R>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const disarmStop = whenStopped("clnt_call", options, (error) => {
        this.pending.delete(xid);
        clearInterval(timer);
        reject(error);
      });
      const disarm = () => {
        disarmStop();
        clearInterval(timer);
      };
      this.pending.set(xid, {
        proc,
        result: result as XdrType<unknown>,
        resolve: resolve as (v: unknown) => void,
        reject,
        disarm,
      });
      if (tcp) this.tcp!.write(bytes);
      else {
        // A datagram that cannot be sent (EMSGSIZE: more than 65507 bytes) fails the call now.
        const send = () =>
          this.udp!.send(bytes, this.port, this.host, (error) => {
            if (!error || !this.pending.has(xid)) return;
            this.pending.get(xid)!.disarm();
            this.pending.delete(xid);
            reject(fromEventLoop(error));
          });
        send();
        const every = options.retransmit ?? this.retransmit;
        timer = setInterval(() => {
          this.stats.retransmissions++;
          send();
        }, every);
      }
    });
  }

  /**
   * The call message (with its record mark over TCP). `copy`: bytes of its
   * own (a write that completes later); else a view of the writer's buffer.
   */
  private encodeCall<A>(
    xid: number,
    proc: number,
    args: XdrType<A>,
    arg: A,
    copy: boolean,
  ): Uint8Array {
    const w = this.writer.reset();
    const tcp = this.transport === "tcp";
    if (tcp) w.uint(0); // the record mark, written below
    writeCallHeader(w, xid, this.prog, this.vers, proc, this.auth, authNone, this.rpcvers);
    args.encode(w, arg);
    if (tcp && w.length - 4 > this.maxFragment)
      return frameRecord(w.written().subarray(4), this.maxFragment);
    if (tcp) w.patchUint(0, (LAST_FRAGMENT | (w.length - 4)) >>> 0);
    return copy ? w.bytes() : w.written();
  }

  /** The reply's xid, its reader after xid and REPLY; undefined (counted dropped) if no reply. */
  private replyXid(r: XdrReader): number | undefined {
    try {
      const xid = r.uint();
      if (r.uint() === MsgType.REPLY) return xid;
    } catch {
      // shorter than a reply header
    }
    this.stats.dropped++;
    return undefined;
  }

  /** The result of the reply in `r`, or the RpcError it stands for (RPC_CANT_DECODE_RES). */
  private outcome(r: XdrReader, xid: number, proc: number, result: XdrType<unknown>) {
    this.stats.replies++;
    const call = { xid, prog: this.prog, vers: this.vers, proc };
    try {
      return readReply(r, result, call);
    } catch (error) {
      return new RpcError("RPC_CANT_DECODE_RES", call, {
        detail: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private onReply(record: Uint8Array): void {
    const r = new XdrReader(record);
    const xid = this.replyXid(r);
    if (xid === undefined) return;
    const p = this.pending.get(xid);
    if (!p) {
      this.stats.dropped++; // a reply to a retransmission already answered, or a stranger's
      return;
    }
    this.pending.delete(xid);
    p.disarm();
    const outcome = this.outcome(r, xid, p.proc, p.result);
    if (outcome instanceof RpcError) p.reject(fromEventLoop(outcome));
    else p.resolve(outcome.value);
  }

  /**
   * The blocking form of call(), as C's clnt_call makes it (the client must
   * come from connectSync): write(2) of the call, then poll(2) for the time
   * left and read(2) until its reply (replies to earlier calls that timed
   * out are dropped); over UDP the same datagram again every `retransmit`
   * ms. Throws an RpcError for what the server refused, ETIMEDOUT after
   * `timeout` (without one it blocks until the reply), ECONNRESET when the
   * server closes the connection or the client is closed, ECONNREFUSED
   * (read) when no UDP server is there. Never in a notebook cell.
   */
  callSync<A, R>(
    proc: number,
    args: XdrType<A>,
    arg: A,
    result: XdrType<R>,
    options: RpcCallSyncOptions = {},
  ): R {
    if (this.closed) throw networkError("ECONNRESET", "clnt_call", "the client is closed");
    const sock = this.sock;
    if (!sock) {
      throw invalidValue("callSync needs a client from RpcClient.connectSync (this one: call)");
    }
    if (typeof options !== "object" || options === null) {
      throw invalidType(`options must be an object like { timeout }, got ${show(options)}`);
    }
    const timeout =
      options.timeout === undefined
        ? undefined
        : checkInteger("timeout", options.timeout, 0, 2 ** 31 - 1);
    const every =
      options.retransmit === undefined
        ? this.retransmit
        : checkInteger("retransmit", options.retransmit, 1, 2 ** 31 - 1);
    const xid = (this.xid = (this.xid + 1) >>> 0);
    const bytes = this.encodeCall(xid, proc, args, arg, false);
    const fd = sock.fd;
    const deadline = timeout === undefined ? undefined : Date.now() + timeout;
    this.stats.calls++;
    writeSync(fd, bytes);
    const udp = this.transport === "udp";
    let resend = udp ? Date.now() + every : undefined;
    for (;;) {
      let record: Uint8Array;
      if (udp) {
        // Wait for the next datagram, sending the call again every `every` ms.
        for (;;) {
          const now = Date.now();
          if (deadline !== undefined && now >= deadline) throw timedOut("clnt_call", timeout!);
          const wait = Math.min(resend! - now, deadline === undefined ? Infinity : deadline - now);
          if (native.poll(fd, C.POLLIN, Math.max(0, wait)) !== 0) break;
          if (Date.now() >= resend!) {
            this.stats.retransmissions++;
            writeSync(fd, bytes);
            resend = Date.now() + every;
          }
        }
        const n = readIntoSync(fd, this.input);
        record = this.input.subarray(0, n);
      } else record = this.readRecordSync(fd, deadline, timeout);
      const r = new XdrReader(record);
      const got = this.replyXid(r);
      if (got === undefined) continue;
      if (got !== xid) {
        this.stats.dropped++; // the late reply of a call that timed out, or a retransmission's
        continue;
      }
      const outcome = this.outcome(r, xid, proc, result as XdrType<unknown>);
      if (outcome instanceof RpcError) throw outcome;
      return outcome.value as R;
    }
  }

  /** TCP: the next whole record (fragments joined), read with blocking calls until `deadline`. */
  private readRecordSync(fd: number, deadline: number | undefined, timeout?: number): Uint8Array {
    let parts: Uint8Array[] | undefined;
    let size = 0;
    for (;;) {
      this.fillSync(fd, 4, deadline, timeout);
      const header = this.input.readUInt32BE(this.inStart);
      this.inStart += 4;
      const length = header & 0x7fffffff;
      if (size + length > this.maxRecord) {
        this.close();
        throw networkError(
          "EPROTO",
          "read",
          `from ${this.host}:${this.port}: a record of more than ${this.maxRecord} bytes`,
        );
      }
      this.fillSync(fd, length, deadline, timeout);
      // A view of the input buffer: decoded (into copies) before the next read.
      const fragment = this.input.subarray(this.inStart, this.inStart + length);
      this.inStart += length;
      if (header >= LAST_FRAGMENT && !parts) return fragment;
      (parts ??= []).push(Uint8Array.from(fragment));
      size += length;
      if (header >= LAST_FRAGMENT) return Buffer.concat(parts, size);
    }
  }

  /** Reads until `need` bytes are buffered; ETIMEDOUT at the deadline, ECONNRESET at end of file. */
  private fillSync(fd: number, need: number, deadline: number | undefined, timeout?: number): void {
    if (this.inStart === this.inEnd) this.inStart = this.inEnd = 0;
    while (this.inEnd - this.inStart < need) {
      if (this.inStart + need > this.input.length) {
        // Move what is left to the front, in a larger buffer if it must be.
        const size = Math.max(this.input.length, need);
        const next = size > this.input.length ? Buffer.allocUnsafe(size * 2) : this.input;
        this.input.copy(next, 0, this.inStart, this.inEnd);
        this.input = next;
        this.inEnd -= this.inStart;
        this.inStart = 0;
      }
      if (deadline !== undefined) {
        const wait = deadline - Date.now();
        if (wait <= 0 || native.poll(fd, C.POLLIN, wait) === 0)
          throw timedOut("clnt_call", timeout!);
      }
      const n = readIntoSync(fd, this.input, this.inEnd, this.input.length - this.inEnd);
      if (n === 0) {
        this.close();
        throw networkError(
          "ECONNRESET",
          "read",
          `${this.host}:${this.port}: the server closed the connection`,
        );
      }
      this.inEnd += n;
    }
  }

  /** Closes the connection or socket; pending calls reject with ECONNRESET. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sock?.close();
    this.tcp?.destroy();
    if (this.udp) {
      this.udp.close();
      this.fail();
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** The portmapper's answer 0 to GETPORT: no such program and version for that transport. */
function notRegistered(
  options: { prog: number; vers: number },
  host: string,
  transport: string,
): RpcError {
  return new RpcError(
    "RPC_PROG_NOT_REGISTERED",
    { prog: options.prog, vers: options.vers },
    { detail: `the portmapper on ${host} has no ${transport} port for it` },
  );
}

function checkClientOptions(options: RpcClientOptions): void {
  if (typeof options !== "object" || options === null) {
    throw invalidType(`options must be an object like { port, prog, vers }, got ${show(options)}`);
  }
  checkWaitOptions(options);
  checkInteger("prog", options.prog, 0, 0xffffffff);
  checkInteger("vers", options.vers, 0, 0xffffffff);
  if (options.port !== undefined) checkInteger("port", options.port, 1, 65535);
  if (
    options.transport !== undefined &&
    options.transport !== "tcp" &&
    options.transport !== "udp"
  ) {
    throw invalidValue(`transport must be "tcp" or "udp", got ${show(options.transport)}`);
  }
}

/** The call header (RFC 5531 §9): xid, CALL, rpcvers 2, prog, vers, proc, cred, verf. */
export function writeCallHeader(
  w: XdrWriter,
  xid: number,
  prog: number,
  vers: number,
  proc: number,
  cred: OpaqueAuth,
  verf: OpaqueAuth,
  rpcvers = RPC_VERSION,
): void {
  w.uint(xid);
  w.uint(MsgType.CALL);
  w.uint(rpcvers);
  w.uint(prog);
  w.uint(vers);
  w.uint(proc);
  w.uint(cred.flavor);
  w.opaque(cred.body, 400);
  w.uint(verf.flavor);
  w.opaque(verf.body, 400);
}

/** The rest of a reply after xid and REPLY: a value, or the RpcError it stands for. */
function readReply<R>(
  r: XdrReader,
  result: XdrType<R>,
  call: { xid: number; prog: number; vers: number; proc: number },
): { value: R } | RpcError {
  const stat = r.uint();
  if (stat === ReplyStat.MSG_ACCEPTED) {
    r.uint(); // verifier flavor
    r.opaque(400);
    const accept = r.uint();
    switch (accept) {
      case AcceptStat.SUCCESS: {
        const value = result.decode(r);
        r.done();
        return { value };
      }
      case AcceptStat.PROG_UNAVAIL:
        return new RpcError("RPC_PROG_UNAVAIL", call);
      case AcceptStat.PROG_MISMATCH:
        return new RpcError("RPC_PROG_MISMATCH", call, { low: r.uint(), high: r.uint() });
      case AcceptStat.PROC_UNAVAIL:
        return new RpcError("RPC_PROC_UNAVAIL", call);
      case AcceptStat.GARBAGE_ARGS:
        return new RpcError("RPC_GARBAGE_ARGS", call);
      case AcceptStat.SYSTEM_ERR:
        return new RpcError("RPC_SYSTEM_ERR", call);
      default:
        throw new XdrError("ERR_XDR_ENUM", `accept_stat ${accept} is not a member`, r.offset - 4);
    }
  }
  if (stat === ReplyStat.MSG_DENIED) {
    const reject = r.uint();
    if (reject === RejectStat.RPC_MISMATCH) {
      return new RpcError("RPC_MISMATCH", call, { low: r.uint(), high: r.uint() });
    }
    if (reject === RejectStat.AUTH_ERROR)
      return new RpcError("RPC_AUTH_ERROR", call, { authStat: r.uint() });
    throw new XdrError("ERR_XDR_ENUM", `reject_stat ${reject} is not a member`, r.offset - 4);
  }
  throw new XdrError("ERR_XDR_ENUM", `reply_stat ${stat} is not a member`, r.offset - 4);
}
