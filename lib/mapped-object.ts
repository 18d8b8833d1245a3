/**
 * The owner shell every fd-backed mapping shares (a POSIX shared-memory
 * object, a memory-mapped file): one descriptor and one mapping, released
 * together by close(), after which every access throws ERR_SHM_CLOSED and
 * views taken before have length 0 (lib/mapping.ts says why). A mechanism
 * subclasses it with its own create/open and the calls only it has.
 */
import type { ByteInput } from "./bytes";
import { Descriptor } from "./descriptor";
import { unmappedError, type Mapping } from "./mapping";
import { fstat, type FileStat } from "./memory";

export abstract class MappedObject {
  readonly writable: boolean;
  #descriptor: Descriptor;
  #mapping: Mapping;
  #closed = false;
  readonly #label: string;

  /**
   * Owns `fd` at once (closed once, by close() or when dropped), then maps it
   * with `map`; if mapping fails the descriptor is closed again.
   */
  protected constructor(fd: number, label: string, map: (fd: number) => Mapping) {
    this.#label = label;
    this.#descriptor = new Descriptor(fd, label);
    try {
      this.#mapping = map(fd);
    } catch (error) {
      this.#descriptor.close();
      throw error;
    }
    this.writable = this.#mapping.writable;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The descriptor, kept for fstat (closed by close()). */
  get fd(): number {
    this.check("fd");
    return this.#descriptor.fd;
  }

  /** The mapping: its address, length, and the raw calls' view. */
  get mapping(): Mapping {
    this.check("mapping");
    return this.#mapping;
  }

  /** Where the object is mapped in this process. */
  get address(): string {
    return this.#mapping.address;
  }

  /** A copy of `length` bytes at `offset`. */
  read(offset?: number, length?: number): Buffer {
    this.check("read");
    return this.#mapping.read(offset, length);
  }

  /** The C string at `offset` (up to the first NUL byte). */
  readString(offset?: number): string {
    this.check("readString");
    return this.#mapping.readString(offset);
  }

  /** Copies `data` to `offset`; returns the bytes written (advance your offset by it). */
  write(offset: number, data: ByteInput): number {
    this.check("write");
    return this.#mapping.write(offset, data);
  }

  /** fstat of the object behind the mapping: its size now, permissions, owner. */
  stat(): FileStat {
    this.check("stat");
    return fstat(this.#descriptor.fd);
  }

  /** munmap + close(fd); the object itself stays. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#mapping.unmap();
    } finally {
      this.#descriptor.close();
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** "at 0x7f…" or "closed", for the subclasses' inspect output. */
  protected get state(): string {
    return this.#closed ? "closed" : `at ${this.address}`;
  }

  /** Throws ERR_SHM_CLOSED once closed; `what` names the access in the message. */
  protected check(what: string): void {
    if (this.#closed) throw unmappedError(what, this.#label);
  }
}
