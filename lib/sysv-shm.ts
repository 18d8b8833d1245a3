/**
 * System V shared memory: the older family, named by integer keys instead
 * of paths (lecture note 003). ftok turns a file and a project id into a
 * key; shmget makes or finds the segment; shmat maps it (the same no-copy,
 * safe Mapping as POSIX mmap); shmdt unmaps; shmctl reads the segment's
 * state (IPC_STAT) or marks it for removal (IPC_RMID). `ipcs -m` lists them.
 */
import { readFileSync } from "node:fs";
import { native, type NativeShmidDs } from "./native";
import * as C from "./constants";
import { checkInteger, invalidType, invalidValue, show } from "./errors";
import { Mapping, checkMapping } from "./mapping";
import { formatPermissions, MAX_MAPPING } from "./memory";

/** shmget's key for a new segment only reachable through its id. */
export const IPC_PRIVATE = C.IPC_PRIVATE;
export const IPC_CREAT = C.IPC_CREAT;
export const IPC_EXCL = C.IPC_EXCL;
// The kernel's values, each typed as a command of its own so that shmctl's
// overloads can tell IPC_STAT from IPC_RMID.
export const IPC_RMID = C.IPC_RMID as number & { readonly command: "IPC_RMID" };
export const IPC_STAT = C.IPC_STAT as number & { readonly command: "IPC_STAT" };
/** shmat's flag for a read-only attachment. */
export const SHM_RDONLY = C.SHM_RDONLY;

/** A key as `ipcs` prints it: 0x0000abcd. */
export function formatKey(key: number): string {
  return `0x${(key >>> 0).toString(16).padStart(8, "0")}`;
}

/**
 * ftok(3): a key from an existing file's inode and device and the low 8 bits
 * of `projId` (a number 1-255 or one character, as in C's ftok(path, 'A')).
 */
export function ftok(path: string, projId: number | string): number {
  if (typeof path !== "string" || path === "") {
    throw invalidType(`ftok: path must be a file's path, got ${show(path)}`);
  }
  let id = projId;
  if (typeof id === "string") {
    if (id.length !== 1) throw invalidValue(`ftok: projId must be one character, got ${show(id)}`);
    id = id.charCodeAt(0);
  }
  return native.ftok(path, checkInteger("projId", id, 1, 255));
}

/**
 * shmget(2): the id of the segment with this key, made with `size` bytes if
 * `flags` has IPC_CREAT (and failing with EEXIST if also IPC_EXCL). The low
 * 9 bits of `flags` are the permissions, e.g. IPC_CREAT | 0o600.
 */
export function shmget(key: number, size: number, flags: number): number {
  checkInteger("key", key, -(2 ** 31), 2 ** 32 - 1);
  checkInteger("size", size, 1, MAX_MAPPING);
  checkInteger("flags", flags, 0, 2 ** 31 - 1);
  if ((flags & ~(IPC_CREAT | IPC_EXCL | 0o777)) !== 0) {
    throw invalidValue(
      `shmget: flags may combine IPC_CREAT, IPC_EXCL and permission bits, got 0o${flags.toString(8)}`,
    );
  }
  return native.shmget(key | 0, size, flags);
}

/** shmat(2): maps the segment; SHM_RDONLY maps it read-only (writes throw EACCES). */
export function shmat(shmid: number, flags = 0): Mapping {
  checkInteger("shmid", shmid, 0, 2 ** 31 - 1);
  if (flags !== 0 && flags !== SHM_RDONLY) {
    throw invalidValue(`shmat: flags must be 0 or SHM_RDONLY, got ${show(flags)}`);
  }
  const source = native.shmat(shmid, flags);
  return new Mapping(source, "shmat", flags !== SHM_RDONLY, `shmid ${shmid}`, { shmid });
}

/** shmdt(2): detaches the mapping; every view of it becomes empty first. */
export function shmdt(mapping: Mapping): void {
  checkMapping(mapping, "shmdt");
  if (mapping.kind !== "shmat")
    throw invalidValue(`shmdt: this mapping was made by mmap; use munmap`);
  mapping.unmap();
}

/** struct shmid_ds, as shmctl(IPC_STAT) fills it. */
export interface ShmidDs {
  /** The key, or IPC_PRIVATE once the segment is marked for removal. */
  key: number;
  /** shm_segsz: the size asked of shmget. */
  size: number;
  /** How many mappings (in all processes) exist now. */
  nattch: number;
  /** Permission bits, and as ls shows them. */
  mode: number;
  permissions: string;
  /** IPC_RMID was done; the segment goes when nattch reaches 0. */
  markedForRemoval: boolean;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  /** Who created it, and who attached or detached last. */
  cpid: number;
  lpid: number;
  /** Last attach, last detach (null: never), last change. */
  atime: Date | null;
  dtime: Date | null;
  ctime: Date;
}

function toShmidDs(raw: NativeShmidDs): ShmidDs {
  const date = (seconds: number) => (seconds === 0 ? null : new Date(seconds * 1000));
  return {
    ...raw,
    mode: raw.mode & 0o777,
    permissions: formatPermissions(raw.mode & 0o777),
    markedForRemoval: (raw.mode & C.SHM_DEST) !== 0,
    atime: date(raw.atime),
    dtime: date(raw.dtime),
    ctime: new Date(raw.ctime * 1000),
  };
}

/** shmctl(2): IPC_STAT returns the segment's state; IPC_RMID marks it for removal. */
export function shmctl(shmid: number, cmd: typeof IPC_STAT): ShmidDs;
export function shmctl(shmid: number, cmd: typeof IPC_RMID): void;
export function shmctl(shmid: number, cmd: number): ShmidDs | void {
  checkInteger("shmid", shmid, 0, 2 ** 31 - 1);
  if (cmd === IPC_STAT) return toShmidDs(native.shmctlStat(shmid));
  if (cmd === IPC_RMID) return native.shmctlRemove(shmid);
  throw invalidValue(`shmctl: cmd must be IPC_STAT or IPC_RMID, got ${show(cmd)}`);
}

/** One line of /proc/sysvipc/shm (what `ipcs -m` reads). */
export interface SysvSegment {
  key: number;
  shmid: number;
  size: number;
  nattch: number;
  permissions: string;
  cpid: number;
}

/** Every System V segment on the machine, from /proc/sysvipc/shm. */
export function listSegments(): SysvSegment[] {
  const lines = readFileSync("/proc/sysvipc/shm", "utf8").trim().split("\n").slice(1);
  return lines
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      const [key, shmid, , size, cpid, , nattch] = fields.map(Number);
      const mode = parseInt(fields[2] ?? "0", 8) & 0o777; // the kernel prints perms in octal
      return {
        key: key ?? 0,
        shmid: shmid ?? 0,
        size: size ?? 0,
        nattch: nattch ?? 0,
        permissions: formatPermissions(mode),
        cpid: cpid ?? 0,
      };
    });
}
