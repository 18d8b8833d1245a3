import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, expect, test } from "vitest";
import {
  formatKey,
  ftok,
  IPC_CREAT,
  IPC_EXCL,
  IPC_PRIVATE,
  IPC_RMID,
  IPC_STAT,
  listSegments,
  munmap,
  SHM_RDONLY,
  shmat,
  shmctl,
  shmdt,
  shmget,
  type Mapping,
} from "ipc-lab";

const fixtures = path.join(import.meta.dirname, "fixtures");
const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-sysv-"));
const ids: number[] = [];
const attached: Mapping[] = [];

/** shmget with IPC_CREAT, remembered for afterEach. */
function segment(key: number, size = 4096, flags = IPC_CREAT | 0o600): number {
  const id = shmget(key, size, flags);
  ids.push(id);
  return id;
}

/** A file only this test uses, so that ftok gives a key nobody else has. */
let files = 0;
function keyFile(): string {
  const file = path.join(dir, `key-${++files}`);
  writeFileSync(file, "");
  return file;
}

afterEach(() => {
  for (const mapping of attached.splice(0)) if (!mapping.closed) shmdt(mapping);
  for (const id of ids.splice(0)) {
    try {
      shmctl(id, IPC_RMID);
    } catch (error) {
      // Removed by the test already: EINVAL (or EIDRM) is what we expect.
      expect((error as { code: string }).code).toMatch(/^(EINVAL|EIDRM)$/);
    }
  }
  const mine = new Set(ids);
  expect(listSegments().filter((s) => mine.has(s.shmid))).toEqual([]);
});

afterAll(() => rmSync(dir, { recursive: true }));

function attach(id: number, flags = 0): Mapping {
  const mapping = shmat(id, flags);
  attached.push(mapping);
  return mapping;
}

test("ftok gives one key per file and project id; a character works as the id", () => {
  const file = keyFile();
  expect(ftok(file, 65)).toBe(ftok(file, "A"));
  expect(ftok(file, "A")).not.toBe(ftok(file, "B"));
  expect(ftok(file, "A")).not.toBe(ftok(keyFile(), "A"));
  expect(formatKey(ftok(file, "A"))).toMatch(/^0x41[0-9a-f]{6}$/); // the id is the top byte
});

test("shmget, shmat, write, a second attach sees the same bytes, shmdt", () => {
  const id = segment(IPC_PRIVATE, 1000);
  const first = attach(id);
  const second = attach(id);
  expect(first.length).toBe(1000);
  expect(first.address).not.toBe(second.address);
  first.bytes.write("System V");
  expect(second.readString()).toBe("System V");
  expect(shmctl(id, IPC_STAT).nattch).toBe(2);
  shmdt(second);
  expect(shmctl(id, IPC_STAT).nattch).toBe(1);
});

test("IPC_STAT reports size, attachments, mode, creator pid and times", () => {
  const id = segment(IPC_PRIVATE, 5000, IPC_CREAT | 0o640);
  const before = shmctl(id, IPC_STAT);
  expect(before).toMatchObject({
    key: 0,
    size: 5000,
    nattch: 0,
    mode: 0o640,
    permissions: "rw-r-----",
    markedForRemoval: false,
    cpid: process.pid,
    atime: null,
    dtime: null,
  });
  expect(before.ctime).toBeInstanceOf(Date);
  attach(id);
  const after = shmctl(id, IPC_STAT);
  expect(after).toMatchObject({ nattch: 1, lpid: process.pid });
  expect(after.atime).toBeInstanceOf(Date);
  expect(listSegments().find((s) => s.shmid === id)).toEqual({
    key: 0,
    shmid: id,
    size: 5000,
    nattch: 1,
    permissions: "rw-r-----",
    cpid: process.pid,
  });
});

test("IPC_RMID while attached: the segment stays until the last shmdt", () => {
  const id = segment(IPC_PRIVATE);
  const mapping = attach(id);
  mapping.write(0, "still here");
  shmctl(id, IPC_RMID);
  expect(shmctl(id, IPC_STAT)).toMatchObject({ markedForRemoval: true, nattch: 1 });
  expect(mapping.readString()).toBe("still here");
  shmdt(mapping);
  expect(() => shmctl(id, IPC_STAT)).toThrow(
    expect.objectContaining({
      code: "EINVAL",
      syscall: "shmctl",
      shmid: id,
      message: `shmctl: EINVAL (Invalid argument) shmid ${id}`,
    }),
  );
});

test("another process attaches by id and writes; this process sees it in its mapping", async () => {
  const id = segment(IPC_PRIVATE);
  const mapping = attach(id);
  const child = spawn(
    process.execPath,
    [path.join(fixtures, "shm-sysv-writer.mjs"), String(id), "from the child"],
    {
      stdio: "inherit",
    },
  );
  const code = await new Promise((resolve) => child.on("close", resolve));
  expect(code).toBe(0);
  expect(mapping.readString()).toBe("from the child");
  expect(shmctl(id, IPC_STAT).lpid).toBe(child.pid); // the last to attach or detach
});

test("one key, two shmget calls: the same segment; IPC_EXCL makes the second EEXIST", () => {
  const key = ftok(keyFile(), "S");
  const id = segment(key);
  expect(shmget(key, 4096, 0o600)).toBe(id);
  expect(() => shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0o600)).toThrow(
    expect.objectContaining({
      code: "EEXIST",
      syscall: "shmget",
      key,
      message: `shmget: EEXIST (File exists) key ${formatKey(key)}`,
    }),
  );
});

test("shmget of a missing key without IPC_CREAT is ENOENT", () => {
  const key = ftok(keyFile(), "M");
  expect(() => shmget(key, 4096, 0o600)).toThrow(
    expect.objectContaining({
      code: "ENOENT",
      syscall: "shmget",
      key,
      message: `shmget: ENOENT (No such file or directory) key ${formatKey(key)}`,
    }),
  );
});

test("ftok of a missing file is ENOENT; a project id outside 1-255 is ERR_OUT_OF_RANGE", () => {
  const missing = path.join(dir, "missing");
  expect(() => ftok(missing, "A")).toThrow(
    expect.objectContaining({
      code: "ENOENT",
      syscall: "ftok",
      message: `ftok: ENOENT (No such file or directory) '${missing}'`,
    }),
  );
  for (const id of [0, 256]) {
    expect(() => ftok(dir, id)).toThrow(
      expect.objectContaining({
        code: "ERR_OUT_OF_RANGE",
        message: `projId must be between 1 and 255, got ${id}`,
      }),
    );
  }
  expect(() => ftok(dir, "AB")).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_VALUE",
      message: 'ftok: projId must be one character, got "AB"',
    }),
  );
});

test("shmat SHM_RDONLY: reads work, writes are EACCES instead of SIGSEGV", () => {
  const id = segment(IPC_PRIVATE);
  attach(id).write(0, "read me");
  const reader = attach(id, SHM_RDONLY);
  expect(reader.readString()).toBe("read me");
  expect(() => reader.write(0, "x")).toThrow(
    expect.objectContaining({
      code: "EACCES",
      syscall: "shmat",
      shmid: id,
      message: `shmat: EACCES (Permission denied) shmid ${id}: write: the mapping is read-only (PROT_READ); in C this store would die of SIGSEGV`,
    }),
  );
  expect(() => reader.bytes).toThrow(expect.objectContaining({ code: "EACCES" }));
});

test("shmat of a missing id is EINVAL from shmat", () => {
  const id = segment(IPC_PRIVATE);
  shmctl(id, IPC_RMID);
  expect(() => shmat(id)).toThrow(
    expect.objectContaining({
      code: "EINVAL",
      syscall: "shmat",
      shmid: id,
      message: `shmat: EINVAL (Invalid argument) shmid ${id}`,
    }),
  );
});

test("use after shmdt is ERR_SHM_CLOSED; views taken before are empty", () => {
  const id = segment(IPC_PRIVATE);
  const mapping = attach(id);
  const view = mapping.bytes;
  shmdt(mapping);
  expect(view.length).toBe(0);
  expect(() => mapping.read(0, 1)).toThrow(
    expect.objectContaining({
      code: "ERR_SHM_CLOSED",
      message: `read: 'shmid ${id}' is closed: its mapping was removed (munmap/shmdt)`,
    }),
  );
  expect(() => shmdt(mapping)).toThrow(expect.objectContaining({ code: "ERR_SHM_CLOSED" }));
});

test("munmap of a shmat mapping is refused: it needs shmdt", () => {
  const mapping = attach(segment(IPC_PRIVATE));
  expect(() => munmap(mapping)).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_VALUE",
      message: "munmap: this mapping was made by shmat; use shmdt",
    }),
  );
});

test("bad sizes, flags and commands are refused before any system call", () => {
  expect(() => shmget(IPC_PRIVATE, 0, IPC_CREAT | 0o600)).toThrow(
    expect.objectContaining({
      code: "ERR_OUT_OF_RANGE",
      message: expect.stringMatching(/^size must be between 1 and \d+, got 0$/),
    }),
  );
  expect(() => shmget(IPC_PRIVATE, 4096, 0o4000)).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_VALUE",
      message: "shmget: flags may combine IPC_CREAT, IPC_EXCL and permission bits, got 0o4000",
    }),
  );
  expect(() => shmctl(0, 1 as typeof IPC_STAT)).toThrow(
    expect.objectContaining({
      code: "ERR_INVALID_ARG_VALUE",
      message: "shmctl: cmd must be IPC_STAT or IPC_RMID, got 1",
    }),
  );
});
