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
 * The IDL compiler (lib/rpcgen.ts) writes typed stubs over `RpcClient.call`
 * and skeletons that `RpcServer.add` takes.
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
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import net from "node:net";
import os from "node:os";
import {
  checkInteger,
  fromEventLoop,
  invalidType,
  invalidValue,
  show,
  SystemError,
} from "./errors";
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

const LAST_FRAGMENT = 0x80000000;
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
      if (port === 0) {
        throw new RpcError(
          "RPC_PROG_NOT_REGISTERED",
          { prog: options.prog, vers: options.vers },
          { detail: `the portmapper on ${host} has no ${transport} port for it` },
        );
      }
    }
    const client = new RpcClient(options, port);
    if (transport === "tcp") await client.openTcp(options, options.maxRecord);
    else client.openUdp();
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
    checkWaitOptions(options);
    const xid = (this.xid = (this.xid + 1) >>> 0);
    const w = this.writer.reset();
    const tcp = this.transport === "tcp";
    if (tcp) w.uint(0); // the record mark, written below
    writeCallHeader(w, xid, this.prog, this.vers, proc, this.auth, authNone, this.rpcvers);
    try {
      args.encode(w, arg);
    } catch (error) {
      return Promise.reject(error);
    }
    let bytes: Uint8Array;
    if (!tcp) bytes = w.bytes();
    else if (w.length - 4 <= this.maxFragment) {
      w.patchUint(0, (LAST_FRAGMENT | (w.length - 4)) >>> 0);
      bytes = w.bytes();
    } else bytes = frameRecord(w.written().subarray(4), this.maxFragment);
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

  private onReply(record: Uint8Array): void {
    const r = new XdrReader(record);
    let xid: number;
    try {
      xid = r.uint();
      if (r.uint() !== MsgType.REPLY) throw new XdrError("ERR_XDR_ENUM", "not a reply", 4);
    } catch {
      this.stats.dropped++;
      return;
    }
    const p = this.pending.get(xid);
    if (!p) {
      this.stats.dropped++; // a reply to a retransmission already answered, or a stranger's
      return;
    }
    this.pending.delete(xid);
    p.disarm();
    this.stats.replies++;
    const call = { xid, prog: this.prog, vers: this.vers, proc: p.proc };
    try {
      const outcome = readReply(r, p.result, call);
      if (outcome instanceof RpcError) p.reject(fromEventLoop(outcome));
      else p.resolve(outcome.value);
    } catch (error) {
      p.reject(
        fromEventLoop(
          new RpcError("RPC_CANT_DECODE_RES", call, {
            detail: error instanceof Error ? error.message : String(error),
          }),
        ),
      );
    }
  }

  /** Closes the connection or socket; pending calls reject with ECONNRESET. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
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

// ---------------------------------------------------------------- server

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

/** The largest UDP payload over IPv4: 65535 - 20 (IP header) - 8 (UDP header). */
const UDP_MAX_PAYLOAD = 65507;
const sameReply = (reply: Uint8Array) => reply;
const NULL_PROCEDURE = procedure(0, "NULL", xdr.void, xdr.void, () => undefined);

/** An ONC RPC server: programs added, then listening on TCP and/or UDP. */
export class RpcServer {
  private readonly programs = new Map<number, Map<number, RpcProgram>>();
  private readonly writer = new XdrWriter(512);
  private tcp?: net.Server;
  private udp?: UdpSocket;
  private readonly connections = new Set<net.Socket>();
  private readonly cache = new Map<string, Uint8Array | null>();
  private registered: { pmap: PortmapperOptions; mappings: PortMapping[] } | undefined;
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
    const a = this.tcp?.address();
    return a && typeof a === "object" ? a.port : undefined;
  }

  get udpPort(): number | undefined {
    return this.udp ? this.udp.address().port : undefined;
  }

  /** Listens; resolves with the ports it got. */
  async listen(options: RpcListenOptions = {}): Promise<{ tcpPort?: number; udpPort?: number }> {
    const host = options.host ?? "127.0.0.1";
    const { tcp, udp } = options;
    if (tcp !== false) {
      const server = net.createServer({ noDelay: true }, (socket) => this.serveConnection(socket));
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host, port: tcp ?? 0 }, () => {
          server.off("error", reject);
          resolve();
        });
      });
      server.on("error", () => {});
      this.tcp = server;
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

  private serveConnection(socket: net.Socket): void {
    this.connections.add(socket);
    const remote = { address: socket.remoteAddress ?? "", port: socket.remotePort ?? 0 };
    const records = new RecordReader(
      (record) => {
        const reply = this.dispatch(record, "tcp", remote);
        if (reply === undefined) return;
        if (reply instanceof Promise) {
          reply.then(
            (bytes) => bytes && !socket.destroyed && socket.write(bytes),
            () => {},
          );
        } else if (!socket.destroyed) socket.write(reply);
      },
      () => {
        this.stats.dropped++;
        socket.destroy();
      },
      this.options.maxRecord,
    );
    socket.on("data", (chunk) => records.push(chunk));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.connections.delete(socket));
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
      for (const socket of this.connections) socket.destroy();
      const tcp = this.tcp;
      this.tcp = undefined;
      if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
      const udp = this.udp;
      this.udp = undefined;
      if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

// ---------------------------------------------------------------- the portmapper (RFC 1833, version 2)

export const PMAP_PROG = 100000;
export const PMAP_VERS = 2;
export const PMAP_PORT = 111;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export enum PmapProc {
  NULL = 0,
  SET = 1,
  UNSET = 2,
  GETPORT = 3,
  DUMP = 4,
  CALLIT = 5,
}

/** A portmapper mapping: program, version, protocol (6: TCP, 17: UDP, IANA's numbers), port. */
export interface PortMapping {
  prog: number;
  vers: number;
  prot: number;
  port: number;
}

export const xdr_mapping = xdr.struct<PortMapping>("mapping", {
  prog: xdr.uint,
  vers: xdr.uint,
  prot: xdr.uint,
  port: xdr.uint,
});

/** DUMP's reply, a linked list of mappings (optional data); read without recursion. */
const xdr_pmaplist: XdrType<PortMapping[]> = {
  name: "pmaplist",
  minSize: 4,
  encode(w, list) {
    for (const m of list) {
      w.bool(true);
      xdr_mapping.encode(w, m);
    }
    w.bool(false);
  },
  decode(r) {
    const out: PortMapping[] = [];
    while (r.bool()) out.push(xdr_mapping.decode(r));
    return out;
  },
};

export interface PortmapperOptions extends WaitOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 111. */
  port?: number;
  /** Default "tcp" (rpcinfo -p asks over TCP too). */
  transport?: RpcTransport;
}

/** A client of the portmapper, program 100000 version 2 (what `rpcinfo -p` asks). */
export class Portmapper {
  private constructor(readonly rpc: RpcClient) {}

  /**
   * Connects to the portmapper. Nothing listening on port 111 is an
   * ECONNREFUSED that says what to do (start rpcbind, or give the port).
   */
  static async connect(options: PortmapperOptions = {}): Promise<Portmapper> {
    const host = options.host ?? "127.0.0.1";
    const port = options.port ?? PMAP_PORT;
    try {
      const rpc = await RpcClient.connect({
        host,
        port,
        transport: options.transport ?? "tcp",
        prog: PMAP_PROG,
        vers: PMAP_VERS,
        timeout: options.timeout,
        signal: options.signal,
      });
      return new Portmapper(rpc);
    } catch (error) {
      if ((error as { code?: string }).code === "ECONNREFUSED") {
        throw networkError(
          "ECONNREFUSED",
          "connect",
          `no portmapper at ${host}:${port}: start rpcbind (as root: rpcbind -f -w, ` +
            `in a network namespace of its own if the machine must not be disturbed), ` +
            `or give the server's port to RpcClient.connect({ port })`,
        );
      }
      throw error;
    }
  }

  /** PMAPPROC_NULL: is it there? */
  ping(options?: RpcCallOptions): Promise<void> {
    return this.rpc.call(PmapProc.NULL, xdr.void, undefined, xdr.void, options);
  }

  /** PMAPPROC_SET: registers a mapping; false if that program/version/protocol has one. */
  set(mapping: PortMapping, options?: RpcCallOptions): Promise<boolean> {
    return this.rpc.call(PmapProc.SET, xdr_mapping, mapping, xdr.bool, options);
  }

  /** PMAPPROC_UNSET: removes every mapping of the program and version (prot and port ignored). */
  unset(
    mapping: Pick<PortMapping, "prog" | "vers"> & Partial<PortMapping>,
    options?: RpcCallOptions,
  ): Promise<boolean> {
    return this.rpc.call(
      PmapProc.UNSET,
      xdr_mapping,
      { prot: 0, port: 0, ...mapping },
      xdr.bool,
      options,
    );
  }

  /** PMAPPROC_GETPORT: the port of a program version on a protocol; 0 when not registered. */
  getPort(
    prog: number,
    vers: number,
    transport: RpcTransport | number = "tcp",
    options?: RpcCallOptions,
  ): Promise<number> {
    const prot = transport === "tcp" ? IPPROTO_TCP : transport === "udp" ? IPPROTO_UDP : transport;
    return this.rpc.call(
      PmapProc.GETPORT,
      xdr_mapping,
      { prog, vers, prot, port: 0 },
      xdr.uint,
      options,
    );
  }

  /** PMAPPROC_DUMP: every mapping, as `rpcinfo -p` lists them. */
  dump(options?: RpcCallOptions): Promise<PortMapping[]> {
    return this.rpc.call(PmapProc.DUMP, xdr.void, undefined, xdr_pmaplist, options);
  }

  close(): void {
    this.rpc.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
