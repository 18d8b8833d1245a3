import { constants as osConstants } from "node:os";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { constants, statfsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  binDir,
  close,
  fstat,
  ftruncate,
  MAP_SHARED,
  MAX_MAPPING,
  mmap,
  munmap,
  PROT_READ,
  PROT_WRITE,
  SharedMemory,
  shmOpen,
  shmUnlink,
} from "ipc-lab";
import { run } from "./fixtures/programs.ts";

const { O_CREAT, O_EXCL, O_RDONLY, O_RDWR } = constants;
const fixtures = path.join(import.meta.dirname, "fixtures");

// Every name this file uses starts with `prefix`; afterEach removes them
// all and checks that /dev/shm holds none.
const prefix = `/ipc-lab-shmtest-${randomBytes(4).toString("hex")}-`;
let counter = 0;
const opened: SharedMemory[] = [];
const fds: number[] = [];

function uniqueName(): string {
  return `${prefix}${++counter}`;
}

/** SharedMemory.create, remembered for afterEach. */
function create(name: string, size = 4096): SharedMemory {
  const shm = SharedMemory.create(name, size);
  opened.push(shm);
  return shm;
}

function open(name: string, readonly = false): SharedMemory {
  const shm = SharedMemory.open(name, { readonly });
  opened.push(shm);
  return shm;
}

afterEach(() => {
  for (const shm of opened.splice(0)) shm.close();
  for (const fd of fds.splice(0)) {
    try {
      close(fd);
    } catch {
      // closed by the test itself
    }
  }
  for (const entry of SharedMemory.list(prefix)) SharedMemory.unlink(entry.name);
  expect(SharedMemory.list(prefix)).toEqual([]);
});

const node = (fixture: string, ...args: string[]) =>
  run(process.execPath, [path.join(fixtures, fixture), ...args]);
const c = (program: string, ...args: string[]) => run(path.join(binDir, program), args);

describe("the lecture's producer and consumer", () => {
  test("create writes Hello then Shared Memory, advancing the offset", () => {
    const shm = create(uniqueName());
    let offset = 0;
    offset += shm.write(offset, "Hello");
    offset += shm.write(offset, "Shared Memory");
    expect(offset).toBe(18);
    expect(shm.readString(0)).toBe("HelloShared Memory");
    expect(shm.readString(5)).toBe("Shared Memory");
    expect(shm.size).toBe(4096);
    expect(shm.created).toBe(true);
  });

  test("the raw calls step by step: shm_open, ftruncate, fstat, mmap, munmap, shm_unlink", () => {
    const name = uniqueName();
    const fd = shmOpen(name, O_CREAT | O_RDWR, 0o600);
    fds.push(fd);
    expect(fstat(fd).size).toBe(0);
    ftruncate(fd, 4096);
    expect(fstat(fd)).toMatchObject({ size: 4096, mode: 0o600, permissions: "rw-------" });
    const ptr = mmap(null, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    expect(ptr.address).toMatch(/^0x[0-9a-f]+$/);
    ptr.write(0, "raw");
    munmap(ptr);
    close(fd);
    const again = open(name, true);
    expect(again.readString()).toBe("raw");
    shmUnlink(name);
    expect(SharedMemory.list(name)).toEqual([]);
  });

  test("buffer is the mapping itself: a store through one mapping shows in another at once", () => {
    const name = uniqueName();
    const writer = create(name);
    const reader = open(name, true);
    writer.buffer.write("no copy", 100);
    expect(reader.readString(100)).toBe("no copy");
    writer.dataView().setInt32(0, 0x01020304, true);
    expect([...reader.read(0, 4)]).toEqual([4, 3, 2, 1]);
    writer.dataView().setInt32(0, 0x01020304, false);
    expect([...reader.read(0, 4)]).toEqual([1, 2, 3, 4]);
  });

  test("/dev/shm shows the object with its size and the permissions less the umask", () => {
    const name = uniqueName();
    const shm = SharedMemory.create(name, 8192, { mode: 0o640 });
    opened.push(shm);
    expect(SharedMemory.list(name)).toEqual([{ name, size: 8192, permissions: "rw-r-----" }]);
    expect(shm.stat()).toMatchObject({ size: 8192, permissions: "rw-r-----" });
  });

  test("create on an existing object reuses it and does not remove it on close", () => {
    const name = uniqueName();
    create(name).write(0, "first");
    const second = create(name);
    expect(second.created).toBe(false);
    expect(second.readString()).toBe("first");
    second.close();
    expect(SharedMemory.list(name)).toHaveLength(1);
  });

  test("a name of exactly 255 bytes after the slash works", () => {
    const name = `${prefix}${"x".repeat(255 - prefix.length + 1)}`;
    expect(Buffer.byteLength(name) - 1).toBe(255);
    create(name, 4096).write(0, "long");
    expect(open(name, true).readString()).toBe("long");
  });

  test("Symbol.dispose closes the mapping and the descriptor", () => {
    const name = uniqueName();
    const shm = create(name);
    const fd = shm.fd;
    shm[Symbol.dispose]();
    expect(shm.closed).toBe(true);
    expect(() => fstat(fd)).toThrow(expect.objectContaining({ code: "EBADF", syscall: "fstat" }));
  });
});

describe("across processes", () => {
  test("a TypeScript producer process writes, this process reads", async () => {
    const name = uniqueName();
    const result = await node("shm-producer.mjs", name);
    expect(result).toMatchObject({ code: 0, stdout: "wrote 18 bytes\n" });
    expect(open(name, true).readString()).toBe("HelloShared Memory");
  });

  test("this process writes, a TypeScript consumer process reads and unlinks", async () => {
    const name = uniqueName();
    const shm = create(name);
    shm.write(shm.write(0, "Hello"), "Shared Memory");
    const result = await node("shm-consumer.mjs", name);
    expect(result).toMatchObject({ code: 0, stdout: "HelloShared Memory\n", stderr: "" });
    expect(SharedMemory.list(name)).toEqual([]);
    // The name is gone, but this process's mapping still holds the memory.
    expect(shm.readString()).toBe("HelloShared Memory");
  });

  test("the C producer writes, TypeScript reads", async () => {
    const name = uniqueName();
    expect(await c("shm_producer", name)).toMatchObject({ code: 0, stderr: "" });
    const shm = open(name, true);
    expect(shm.size).toBe(4096);
    expect(shm.readString()).toBe("HelloShared Memory");
  });

  test("TypeScript writes, the C consumer prints and unlinks", async () => {
    const name = uniqueName();
    const shm = create(name);
    let offset = shm.write(0, "Hello");
    offset += shm.write(offset, " from TypeScript");
    const result = await c("shm_consumer", name);
    expect(result).toMatchObject({ code: 0, stdout: "Hello from TypeScript\n", stderr: "" });
    expect(SharedMemory.list(name)).toEqual([]);
  });

  test("a store by the C producer appears in a mapping this process already holds", async () => {
    const name = uniqueName();
    const shm = create(name);
    const view = shm.buffer;
    expect(view[0]).toBe(0);
    await c("shm_producer", name);
    expect(view.toString("latin1", 0, 18)).toBe("HelloShared Memory");
  });

  test("the consumer run again after unlink: ENOENT checked, SIGSEGV as the textbook prints it", async () => {
    const name = uniqueName();
    await c("shm_producer", name);
    expect(await c("shm_consumer", name)).toMatchObject({
      code: 0,
      stdout: "HelloShared Memory\n",
    });
    const checked = await c("shm_consumer", name);
    expect(checked).toMatchObject({
      code: 1,
      stderr: `shm_open: ENOENT (No such file or directory) '${name}'\n`,
    });
    const unchecked = await c("shm_consumer", "--unchecked", name);
    expect(unchecked).toMatchObject({ code: null, signal: "SIGSEGV" });
    expect(() => SharedMemory.open(name, { readonly: true })).toThrow(
      expect.objectContaining({
        code: "ENOENT",
        syscall: "shm_open",
        path: name,
        message: `shm_open: ENOENT (No such file or directory) '${name}'`,
      }),
    );
  });

  test("two writers without synchronisation: the count is at most 2N and positive", async () => {
    const name = uniqueName();
    const shm = create(name);
    const n = 200_000;
    const counts = shm.dataView(0, 8);
    const children = [0, 1].map(() => spawn(path.join(binDir, "shm_increment"), [name, String(n)]));
    // Both print "ready" once mapped; then one start flag releases both.
    await Promise.all(
      children.map((child) => new Promise((resolve) => child.stdout.once("data", resolve))),
    );
    counts.setInt32(4, 1, true);
    const codes = await Promise.all(
      children.map((child) => new Promise((resolve) => child.on("close", resolve))),
    );
    expect(codes).toEqual([0, 0]);
    const total = counts.getInt32(0, true);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(2 * n);
  });

  test("two writers with an atomic add count exactly 2N", async () => {
    const name = uniqueName();
    const shm = create(name);
    const n = 200_000;
    const children = [0, 1].map(() =>
      spawn(path.join(binDir, "shm_increment"), [name, String(n), "--atomic"]),
    );
    await Promise.all(
      children.map((child) => new Promise((resolve) => child.stdout.once("data", resolve))),
    );
    shm.dataView().setInt32(4, 1, true);
    await Promise.all(
      children.map((child) => new Promise((resolve) => child.on("close", resolve))),
    );
    expect(shm.dataView().getInt32(0, true)).toBe(2 * n);
  });

  test("mappings dropped without close are released by the finalizer, once", async () => {
    const result = await run(process.execPath, [
      "--expose-gc",
      path.join(fixtures, "shm-gc.mjs"),
      uniqueName(),
    ]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    // 10 closed at once, 10 dropped: those 10 stay until collected, then go.
    expect(JSON.parse(result.stdout)).toEqual({ before: 10, after: 0, keptLengths: [0] });
  });
});

describe("bad input gets a clear error and leaves nothing behind", () => {
  const badNames: [string, unknown, string][] = [
    ["empty", "", `name must not be empty: POSIX names look like "/OS"`],
    ["without the leading slash", "OS", `name must start with "/" (like "/OS"), got "OS"`],
    ["with another slash", "/a/b", `name must have no "/" after the first one, got "/a/b"`],
    ["only a slash", "/", `name needs a file name after the "/", got "/"`],
    ["dot-dot", "/..", `name needs a file name after the "/", got "/.."`],
    [
      "over NAME_MAX",
      `/${"x".repeat(256)}`,
      `name must be at most 255 bytes after the "/" (NAME_MAX), got 256`,
    ],
    ["not a string", 42, "name must be a string, got 42"],
  ];
  for (const [what, name, message] of badNames) {
    const code = typeof name === "string" ? "ERR_INVALID_ARG_VALUE" : "ERR_INVALID_ARG_TYPE";
    test(`a name ${what} is ${code}`, () => {
      const error = { name: "TypeError", code, message };
      expect(() => SharedMemory.create(name as string, 4096)).toThrow(
        expect.objectContaining(error),
      );
      expect(() => SharedMemory.open(name as string)).toThrow(expect.objectContaining(error));
      expect(() => shmOpen(name as string, O_RDONLY)).toThrow(expect.objectContaining(error));
      expect(() => shmUnlink(name as string)).toThrow(expect.objectContaining(error));
    });
  }

  test("size 0 and negative sizes are ERR_OUT_OF_RANGE", () => {
    for (const size of [0, -1]) {
      expect(() => SharedMemory.create(uniqueName(), size)).toThrow(
        expect.objectContaining({
          name: "RangeError",
          code: "ERR_OUT_OF_RANGE",
          message: `size must be between 1 and ${Number.MAX_SAFE_INTEGER}, got ${size}`,
        }),
      );
    }
    expect(SharedMemory.list(prefix)).toEqual([]);
  });

  test("a fractional size is ERR_OUT_OF_RANGE, a non-number one ERR_INVALID_ARG_TYPE", () => {
    for (const [size, name, code, message] of [
      [1.5, "RangeError", "ERR_OUT_OF_RANGE", "size must be an integer, got 1.5"],
      [Number.NaN, "RangeError", "ERR_OUT_OF_RANGE", "size must be an integer, got NaN"],
      ["4096", "TypeError", "ERR_INVALID_ARG_TYPE", 'size must be a number, got "4096"'],
    ] as const) {
      expect(() => SharedMemory.create(uniqueName(), size as number)).toThrow(
        expect.objectContaining({ name, code, message }),
      );
    }
  });

  test("a size larger than /dev/shm can hold is ENOSPC (the library's check, as fallocate's), before anything is created", () => {
    const name = uniqueName();
    const { bavail, bsize } = statfsSync("/dev/shm");
    const size = bavail * bsize + 2 ** 20;
    expect(() => SharedMemory.create(name, size)).toThrow(
      expect.objectContaining({
        code: "ENOSPC",
        syscall: "fallocate",
        path: name,
        message: expect.stringMatching(
          new RegExp(
            `^fallocate: ENOSPC \\(No space left on device\\) '${name}': ${size} bytes is more than /dev/shm can hold \\(\\d+ bytes free\\); checked by ipc-lab before any call$`,
          ),
        ),
      }),
    );
    expect(SharedMemory.list(name)).toEqual([]);
  });

  test.runIf(statfsSync("/dev/shm").bavail * statfsSync("/dev/shm").bsize > MAX_MAPPING + 1)(
    "a size that fits /dev/shm but no Buffer is ERR_OUT_OF_RANGE",
    () => {
      expect(() => SharedMemory.create(uniqueName(), MAX_MAPPING + 1)).toThrow(
        expect.objectContaining({
          code: "ERR_OUT_OF_RANGE",
          message: `size must be at most ${MAX_MAPPING} (the largest Buffer), got ${MAX_MAPPING + 1}`,
        }),
      );
      expect(SharedMemory.list(prefix)).toEqual([]);
    },
  );

  test("opening a missing object is ENOENT from shm_open", () => {
    const name = uniqueName();
    expect(() => SharedMemory.open(name)).toThrow(
      expect.objectContaining({
        name: "SystemError",
        code: "ENOENT",
        errno: -2,
        syscall: "shm_open",
        path: name,
        message: `shm_open: ENOENT (No such file or directory) '${name}'`,
      }),
    );
  });

  test("O_EXCL on an existing object is EEXIST, and the object is left as it was", () => {
    const name = uniqueName();
    create(name).write(0, "mine");
    const error = {
      code: "EEXIST",
      syscall: "shm_open",
      message: `shm_open: EEXIST (File exists) '${name}'`,
    };
    expect(() => SharedMemory.create(name, 4096, { exclusive: true })).toThrow(
      expect.objectContaining(error),
    );
    expect(() => shmOpen(name, O_CREAT | O_EXCL | O_RDWR)).toThrow(expect.objectContaining(error));
    expect(open(name, true).readString()).toBe("mine");
  });

  test("writing a read-only mapping is EACCES, never a SIGSEGV", () => {
    const name = uniqueName();
    create(name).write(0, "kept");
    const reader = open(name, true);
    // No call fails in C (the store dies of SIGSEGV): it is reported as
    // mmap's EACCES, what the kernel says to a writable mapping of a read-only object.
    const message = (what: string) =>
      `mmap: EACCES (Permission denied) '${name}': ${what}: the mapping is read-only (PROT_READ); ` +
      `in C this store would die of SIGSEGV`;
    expect(() => reader.write(0, "x")).toThrow(
      expect.objectContaining({
        code: "EACCES",
        errno: -osConstants.errno.EACCES,
        syscall: "mmap",
        path: name,
        message: message("write"),
      }),
    );
    expect(() => reader.buffer).toThrow(
      expect.objectContaining({ code: "EACCES", message: message("bytes") }),
    );
    expect(() => reader.dataView()).toThrow(
      expect.objectContaining({ code: "EACCES", message: message("dataView") }),
    );
    expect(reader.readString()).toBe("kept");
  });

  test("asking mmap for PROT_WRITE on an O_RDONLY descriptor is the kernel's EACCES", () => {
    const name = uniqueName();
    create(name);
    const fd = shmOpen(name, O_RDONLY);
    fds.push(fd);
    expect(() => mmap(null, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)).toThrow(
      expect.objectContaining({
        code: "EACCES",
        syscall: "mmap",
        fd,
        message: `mmap: EACCES (Permission denied) fd ${fd}`,
      }),
    );
  });

  test("offsets outside the object are ERR_OUT_OF_RANGE", () => {
    const shm = create(uniqueName());
    expect(() => shm.write(4090, "Shared Memory")).toThrow(
      expect.objectContaining({
        name: "RangeError",
        code: "ERR_OUT_OF_RANGE",
        message: `write: offset 4090 + length 13 is past the end of ${shm.name} (4096 bytes)`,
      }),
    );
    expect(() => shm.read(-1, 1)).toThrow(
      expect.objectContaining({
        code: "ERR_OUT_OF_RANGE",
        message: "offset must be between 0 and 4096, got -1",
      }),
    );
    expect(() => shm.read(0, 5000)).toThrow(
      expect.objectContaining({
        code: "ERR_OUT_OF_RANGE",
        message: "length must be between 0 and 4096, got 5000",
      }),
    );
    expect(() => shm.readString(4097)).toThrow(
      expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
    );
    expect(() => shm.write(0.5, "x")).toThrow(
      expect.objectContaining({
        code: "ERR_OUT_OF_RANGE",
        message: "offset must be an integer, got 0.5",
      }),
    );
    expect(shm.readString()).toBe(""); // nothing was written
  });

  test("mapping past the end of the object is refused: it would be a SIGBUS", () => {
    const name = uniqueName();
    const fd = shmOpen(name, O_CREAT | O_RDWR, 0o600);
    fds.push(fd);
    expect(() => mmap(null, 4096, PROT_READ, MAP_SHARED, fd, 0)).toThrow(
      expect.objectContaining({
        code: "ERR_OUT_OF_RANGE",
        message:
          `mmap: offset 0 + length 4096 is past the end of fd ${fd} (0 bytes): touching those ` +
          `pages would raise SIGBUS; size the object first with ftruncate()`,
      }),
    );
    expect(() => SharedMemory.open(name)).toThrow(
      expect.objectContaining({
        code: "ERR_SHM_EMPTY",
        message:
          `SharedMemory.open: '${name}' has size 0, so there is nothing to map yet ` +
          `(its creator sizes it with ftruncate)`,
      }),
    );
  });

  test("unlinking twice is ENOENT from shm_unlink", () => {
    const name = uniqueName();
    create(name).unlink();
    expect(() => SharedMemory.unlink(name)).toThrow(
      expect.objectContaining({
        code: "ENOENT",
        syscall: "shm_unlink",
        path: name,
        message: `shm_unlink: ENOENT (No such file or directory) '${name}'`,
      }),
    );
  });

  test("use after close is ERR_SHM_CLOSED; views taken before are empty", () => {
    const name = uniqueName();
    const shm = create(name);
    const view = shm.buffer;
    const data = shm.dataView();
    view.write("before");
    shm.close();
    for (const [what, use] of [
      ["read", () => shm.read(0, 1)],
      ["write", () => shm.write(0, "x")],
      ["buffer", () => shm.buffer],
      ["readString", () => shm.readString()],
      ["stat", () => shm.stat()],
    ] as const) {
      expect(use).toThrow(
        expect.objectContaining({
          code: "ERR_SHM_CLOSED",
          message: `${what}: '${name}' is closed: its mapping was removed (munmap/shmdt)`,
        }),
      );
    }
    expect(view.length).toBe(0);
    expect(view[0]).toBeUndefined();
    expect(() => view.set([1])).toThrow(TypeError);
    expect(() => data.getInt32(0)).toThrow(/detached ArrayBuffer/);
    shm.close(); // a second close does nothing
    expect(open(name, true).readString()).toBe("before");
  });

  test("munmap twice is ERR_SHM_CLOSED, not a second munmap", () => {
    const name = uniqueName();
    const fd = shmOpen(name, O_CREAT | O_RDWR, 0o600);
    fds.push(fd);
    ftruncate(fd, 4096);
    const ptr = mmap(null, 4096, PROT_READ, MAP_SHARED, fd, 0);
    munmap(ptr);
    expect(() => munmap(ptr)).toThrow(
      expect.objectContaining({
        code: "ERR_SHM_CLOSED",
        message: `munmap: 'fd ${fd}' is closed: its mapping was removed (munmap/shmdt)`,
      }),
    );
  });

  test("bad flags, mode, prot and addr are ERR_INVALID_ARG_VALUE or ERR_OUT_OF_RANGE", () => {
    const name = uniqueName();
    expect(() => shmOpen(name, constants.O_WRONLY)).toThrow(
      expect.objectContaining({
        code: "ERR_INVALID_ARG_VALUE",
        message: "flags may combine O_RDONLY or O_RDWR with O_CREAT, O_EXCL and O_TRUNC, got 0o1",
      }),
    );
    expect(() => SharedMemory.create(name, 4096, { mode: 0o1777 })).toThrow(
      expect.objectContaining({
        code: "ERR_OUT_OF_RANGE",
        message: "mode must be between 0 and 511, got 1023",
      }),
    );
    create(name);
    const fd = shmOpen(name, O_RDWR);
    fds.push(fd);
    expect(() => mmap(null, 4096, PROT_WRITE, MAP_SHARED, fd)).toThrow(
      expect.objectContaining({
        code: "ERR_INVALID_ARG_VALUE",
        message: "mmap: prot must be PROT_READ or PROT_READ | PROT_WRITE, got 2",
      }),
    );
    expect(() => mmap(4096 as unknown as null, 4096, PROT_READ, MAP_SHARED, fd)).toThrow(
      expect.objectContaining({
        code: "ERR_INVALID_ARG_VALUE",
        message: "mmap: addr must be null (let the kernel choose), got 4096",
      }),
    );
    expect(() => mmap(null, 4096, PROT_READ, MAP_SHARED, fd, 100)).toThrow(
      expect.objectContaining({
        code: "ERR_OUT_OF_RANGE",
        message: "mmap: offset must be a multiple of the page size 4096, got 100",
      }),
    );
  });
});
