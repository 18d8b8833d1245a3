/**
 * System V semaphores: the older family (lecture note 003), named by an
 * integer key (ftok) like System V shared memory. A key names a *set* of
 * counters; semop applies several operations to it as one (all or none), so
 * taking two semaphores at once cannot deadlock. SEM_UNDO makes the kernel
 * give back what a process took if it dies holding it; POSIX semaphores have
 * no such thing. `ipcs -s` (and /proc/sysvipc/sem) lists the sets.
 */
import { readFileSync } from "node:fs";
import { native, type NativeSemidDs } from "./native";
import * as C from "./constants";
import { checkInteger, checkOptions, invalidType, invalidValue, show } from "./errors";
import { formatPermissions } from "./memory";
import { checkWaitOptions, type WaitOptions } from "./waiting";
import { waitGivingBack } from "./sem";

export const IPC_NOWAIT = C.IPC_NOWAIT;
export const SEM_UNDO = C.SEM_UNDO;
export const GETVAL = C.GETVAL as number & { readonly command: "GETVAL" };
export const SETVAL = C.SETVAL as number & { readonly command: "SETVAL" };
export const GETALL = C.GETALL as number & { readonly command: "GETALL" };
export const SETALL = C.SETALL as number & { readonly command: "SETALL" };
export const GETPID = C.GETPID as number & { readonly command: "GETPID" };
export const GETNCNT = C.GETNCNT as number & { readonly command: "GETNCNT" };
export const GETZCNT = C.GETZCNT as number & { readonly command: "GETZCNT" };

/** One operation of a semop: on semaphore `num`, add `op` (< 0 waits, 0 waits for zero). */
export interface SemOp {
  num: number;
  op: number;
  /** SEM_UNDO, IPC_NOWAIT, or both (default 0). */
  flags?: number;
}

/**
 * semget(2): the id of the set with this key, made with `nsems` semaphores
 * (all 0) if `flags` has IPC_CREAT (EEXIST with IPC_EXCL too). The low 9 bits
 * of `flags` are the permissions, e.g. IPC_CREAT | 0o600. Note that a new set
 * is not initialised in the same step: see the chapter's initialisation race.
 */
export function semget(key: number, nsems: number, flags: number): number {
  checkInteger("key", key, -(2 ** 31), 2 ** 32 - 1);
  checkInteger("nsems", nsems, 0, 2 ** 31 - 1);
  checkInteger("flags", flags, 0, 2 ** 31 - 1);
  if ((flags & ~(C.IPC_CREAT | C.IPC_EXCL | 0o777)) !== 0) {
    throw invalidValue(
      `semget: flags may combine IPC_CREAT, IPC_EXCL and permission bits, got 0o${flags.toString(8)}`,
    );
  }
  return native.semget(key | 0, nsems, flags);
}

function checkSemid(semid: unknown): number {
  return checkInteger("semid", semid, 0, 2 ** 31 - 1);
}

function flatten(ops: unknown): number[] {
  if (!Array.isArray(ops) || ops.length === 0) {
    throw invalidType("ops must be a non-empty array like [{ num: 0, op: -1, flags: SEM_UNDO }]");
  }
  const flat: number[] = [];
  ops.forEach((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null) {
      throw invalidType(`ops[${i}] must be an object like { num: 0, op: -1 }, got ${show(entry)}`);
    }
    const { num, op, flags = 0 } = entry as SemOp;
    checkInteger(`ops[${i}].num`, num, 0, 65535);
    checkInteger(`ops[${i}].op`, op, -32768, 32767);
    checkInteger(`ops[${i}].flags`, flags, 0, 2 ** 15 - 1);
    if ((flags & ~(C.SEM_UNDO | C.IPC_NOWAIT)) !== 0) {
      throw invalidValue(`ops[${i}].flags may combine SEM_UNDO and IPC_NOWAIT, got ${flags}`);
    }
    flat.push(num, op, flags);
  });
  return flat;
}

/** The operations that undo `flat` (IPC_NOWAIT: never wait to give back). */
function inverse(flat: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < flat.length; i += 3) {
    const [num, op, flags] = [flat[i] ?? 0, flat[i + 1] ?? 0, flat[i + 2] ?? 0];
    if (op !== 0) out.push(num, -op, (flags & C.SEM_UNDO) | C.IPC_NOWAIT);
  }
  return out;
}

/**
 * semop(2), awaitable: applies every operation at once, waiting (on a thread
 * of its own) until all can be done. With `timeout` it is semtimedop(2): the
 * kernel gives up after that many milliseconds and did nothing. An op with
 * IPC_NOWAIT makes it fail with EAGAIN at once instead of waiting. A set
 * removed meanwhile: EIDRM.
 */
export function semop(semid: number, ops: SemOp[], options: WaitOptions = {}): Promise<void> {
  checkSemid(semid);
  const flat = flatten(ops);
  checkWaitOptions(options);
  const timed = options.timeout !== undefined;
  const what = timed ? "semtimedop" : "semop";
  return waitGivingBack(
    what,
    (callback) => native.semop(semid, flat, timed ? (options.timeout as number) : -1, callback),
    () => {
      const back = inverse(flat);
      if (back.length > 0) native.semopNow(semid, back);
    },
    options,
    { semid },
    // semtimedop says EAGAIN when its time is up; with IPC_NOWAIT EAGAIN means "now".
    flat.some((_, i) => i % 3 === 2 && ((flat[i] ?? 0) & C.IPC_NOWAIT) !== 0)
      ? undefined
      : "EAGAIN",
  );
}

/**
 * semop with IPC_NOWAIT on every operation, done now: true if it was done,
 * false if it would have had to wait (EAGAIN).
 */
export function trySemop(semid: number, ops: SemOp[]): boolean {
  checkSemid(semid);
  const flat = flatten(ops);
  for (let i = 2; i < flat.length; i += 3) flat[i] = (flat[i] ?? 0) | C.IPC_NOWAIT;
  try {
    native.semopNow(semid, flat);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "EAGAIN") return false;
    throw error;
  }
}

/** struct semid_ds, as semctl(IPC_STAT) fills it. */
export interface SemidDs {
  key: number;
  nsems: number;
  mode: number;
  permissions: string;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  /** The last semop (null: never). The initialisation race's fix waits for it. */
  otime: Date | null;
  ctime: Date;
}

function toSemidDs(raw: NativeSemidDs): SemidDs {
  return {
    ...raw,
    mode: raw.mode & 0o777,
    permissions: formatPermissions(raw.mode & 0o777),
    otime: raw.otime === 0 ? null : new Date(raw.otime * 1000),
    ctime: new Date(raw.ctime * 1000),
  };
}

/**
 * semctl(2): GETVAL, GETPID (who did the last semop), GETNCNT (how many wait
 * for it to grow), GETZCNT (for zero) of semaphore `semnum`; SETVAL sets it;
 * GETALL / SETALL the whole set; IPC_STAT the set's state; IPC_RMID removes
 * the set at once (every waiter fails with EIDRM).
 */
export function semctl(
  semid: number,
  semnum: number,
  cmd: typeof GETVAL | typeof GETPID | typeof GETNCNT | typeof GETZCNT,
): number;
export function semctl(semid: number, semnum: number, cmd: typeof SETVAL, value: number): void;
export function semctl(semid: number, semnum: number, cmd: typeof GETALL): number[];
export function semctl(semid: number, semnum: number, cmd: typeof SETALL, values: number[]): void;
export function semctl(semid: number, semnum: number, cmd: typeof C.IPC_STAT): SemidDs;
export function semctl(semid: number, semnum: number, cmd: typeof C.IPC_RMID): void;
export function semctl(
  semid: number,
  semnum: number,
  cmd: number,
  arg?: number | number[],
): number | number[] | SemidDs | void {
  checkSemid(semid);
  checkInteger("semnum", semnum, 0, 65535);
  switch (cmd) {
    case GETVAL:
    case GETPID:
    case GETNCNT:
    case GETZCNT:
      return native.semctlGet(semid, semnum, cmd);
    case SETVAL:
      return native.semctlSetval(semid, semnum, checkInteger("value", arg, 0, 2 ** 31 - 1));
    case GETALL:
      return native.semctlGetall(semid);
    case SETALL:
      if (!Array.isArray(arg))
        throw invalidType("SETALL takes an array of values, one per semaphore");
      arg.forEach((v, i) => checkInteger(`values[${i}]`, v, 0, 65535));
      return native.semctlSetall(semid, arg);
    case C.IPC_STAT:
      return toSemidDs(native.semctlStat(semid));
    case C.IPC_RMID:
      return native.semctlRemove(semid);
    default:
      throw invalidValue(
        `semctl: cmd must be GETVAL, SETVAL, GETALL, SETALL, GETPID, GETNCNT, GETZCNT, IPC_STAT or IPC_RMID, got ${show(cmd)}`,
      );
  }
}

export interface SemgetInitOptions {
  /** Permission bits (default 0o600). */
  mode?: number;
  /** Give up waiting for another creator's initialisation after this many ms (default 5000). */
  timeout?: number;
}

/**
 * The initialisation race's fix (Stevens): semget then semctl(SETVAL) is not
 * one step, so a second process may use a set its creator has not set yet.
 * The creator (IPC_CREAT | IPC_EXCL succeeded) sets the values with SETALL
 * and then does one semop, which sets sem_otime; everyone else waits until
 * sem_otime is set. Returns the set's id and whether this call made it.
 */
export async function semgetInitialized(
  key: number,
  values: number[],
  options?: SemgetInitOptions,
): Promise<{ semid: number; created: boolean }> {
  const { mode = 0o600, timeout = 5000 } = checkOptions(options, "{ mode: 0o600 }");
  if (!Array.isArray(values) || values.length === 0) {
    throw invalidType("values must be a non-empty array, one start value per semaphore");
  }
  checkInteger("timeout", timeout, 0, 2 ** 31 - 1);
  try {
    const semid = semget(key, values.length, C.IPC_CREAT | C.IPC_EXCL | mode);
    // Values one above, then one semop of -1 on the first: sets sem_otime.
    semctl(
      semid,
      0,
      SETALL,
      values.map((v, i) => (i === 0 ? v + 1 : v)),
    );
    await semop(semid, [{ num: 0, op: -1 }]);
    return { semid, created: true };
  } catch (error) {
    if ((error as { code?: string }).code !== "EEXIST") throw error;
  }
  const semid = semget(key, values.length, mode);
  const deadline = Date.now() + timeout;
  while (semctl(semid, 0, C.IPC_STAT).otime === null) {
    if (Date.now() > deadline) {
      throw invalidValue(`semgetInitialized: set ${semid} was never initialised by its creator`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return { semid, created: false };
}

/** One line of /proc/sysvipc/sem (what `ipcs -s` reads). */
export interface SysvSemaphoreSet {
  key: number;
  semid: number;
  permissions: string;
  nsems: number;
  uid: number;
}

/** Every System V semaphore set on the machine, from /proc/sysvipc/sem. */
export function listSemaphoreSets(): SysvSemaphoreSet[] {
  const lines = readFileSync("/proc/sysvipc/sem", "utf8").trim().split("\n").slice(1);
  return lines
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      const [key, semid, , nsems, uid] = fields.map(Number);
      const mode = parseInt(fields[2] ?? "0", 8) & 0o777;
      return {
        key: key ?? 0,
        semid: semid ?? 0,
        permissions: formatPermissions(mode),
        nsems: nsems ?? 0,
        uid: uid ?? 0,
      };
    });
}
