/**
 * A client of the portmapper, RFC 1833's program 100000 version 2 (what
 * Debian's rpcbind also answers, and `rpcinfo -p` asks): SET, UNSET,
 * GETPORT, DUMP; a clear ECONNREFUSED when there is none.
 */
import { networkError, RpcClient, type RpcCallOptions, type RpcTransport } from "./rpc";
import type { WaitOptions } from "./waiting";
import { xdr, type XdrType } from "./xdr";

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
