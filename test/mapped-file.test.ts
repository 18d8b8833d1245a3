import { spawn } from "node:child_process";
import {
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  binDir,
  close,
  fork,
  ftruncate,
  getrusage,
  MADV_DONTNEED,
  MADV_RANDOM,
  MADV_SEQUENTIAL,
  MADV_WILLNEED,
  madvise,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  MappedFile,
  mincore,
  mmap,
  MS_ASYNC,
  MS_SYNC,
  msync,
  munmap,
  open,
  openFds,
  PAGE_SIZE,
  posixFadvise,
  POSIX_FADV_DONTNEED,
  procMaps,
  PROT_READ,
  PROT_WRITE,
  smaps,
  type Mapping,
} from "ipc-lab";
import { native } from "./fixtures/internals.ts";

const { O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_WRONLY } = constants;
const fixtures = path.join(import.meta.dirname, "fixtures");
const RW = PROT_READ | PROT_WRITE;

// Each test works in a fresh directory; afterEach unmaps and closes what the
// test left, removes the directory, and checks that no mapping or
// descriptor of it remains in this process.
let dir = "";
const mappings: Mapping[] = [];
const files: MappedFile[] = [];
const fds: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-mmaptest-"));
});

afterEach(() => {
  for (const file of files.splice(0)) file.close();
  for (const mapping of mappings.splice(0)) if (!mapping.closed) munmap(mapping);
  for (const fd of fds.splice(0)) {
    try {
      close(fd);
    } catch {
      // closed by the test itself
    }
  }
  rmSync(dir, { recursive: true, force: true });
  expect(procMaps().filter((entry) => entry.path.startsWith(dir))).toEqual([]);
  expect(openFds().filter((entry) => entry.target.startsWith(dir))).toEqual([]);
});

const at = (name: string) => path.join(dir, name);

/** A file of `size` bytes holding `text` at offset 0. */
function makeFile(name: string, size = PAGE_SIZE, text = ""): string {
  const file = at(name);
  writeFileSync(file, Buffer.alloc(size));
  if (text) {
    const fd = openSync(file, "r+");
    writeSync(fd, `${text}\0`, 0);
    closeSync(fd);
  }
  return file;
}

function track<T extends Mapping | MappedFile | number>(value: T): T {
  if (typeof value === "number") fds.push(value);
  else if (value instanceof MappedFile) files.push(value);
  else mappings.push(value as Mapping);
  return value;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end and collects its output (waits on exit, not time). */
function run(file: string, args: string[], onStdout?: (text: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout?.(stdout);
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const node = (...args: string[]) =>
  run(process.execPath, [path.join(fixtures, "mmap-peer.mjs"), ...args]);
const c = (program: string, ...args: string[]) => run(path.join(binDir, program), args);
const python = (code: string, ...args: string[]) => run("python3", ["-c", code, ...args]);

const PY_WRITE = `
import mmap, sys
with open(sys.argv[1], "r+b") as f, mmap.mmap(f.fileno(), 0) as m:
    text = sys.argv[2].encode() + b"\\0"
    m[0:len(text)] = text
    m.flush()
print("python wrote", len(text) - 1, "bytes")`;

const PY_READ = `
import mmap, sys
with open(sys.argv[1], "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
    print(m[: m.find(b"\\0")].decode())`;

const PY_PONG = `
import mmap, sys, time
with open(sys.argv[1], "r+b") as f, mmap.mmap(f.fileno(), 0) as m:
    print("ready", flush=True)
    ping = sys.argv[2].encode() + b"\\0"
    deadline = time.monotonic() + 10
    while m[: len(ping)] != ping:
        if time.monotonic() > deadline:
            sys.exit("no ping after 10 s")
        time.sleep(0.001)
    m[64:69] = b"pong\\0"
print("python saw ping")`;

/** Polls a mapping until the C string at `offset` is `text` (a peer's store, no msync). */
async function waitFor(read: () => string, text: string): Promise<void> {
  for (let i = 0; read() !== text; i++) {
    if (i > 10_000) throw new Error(`no "${text}" after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe("open(2)", () => {
  test("opens, creates and refuses as the kernel does", () => {
    const file = at("new");
    const fd = track(open(file, O_CREAT | O_RDWR | O_EXCL, 0o600));
    expect(readFileSync(file).length).toBe(0);
    expect(() => open(file, O_CREAT | O_RDWR | O_EXCL)).toThrow(
      expect.objectContaining({ code: "EEXIST", syscall: "open", path: file }),
    );
    expect(() => open(at("missing"), O_RDONLY)).toThrow(
      expect.objectContaining({ code: "ENOENT", syscall: "open", path: at("missing") }),
    );
    expect(() => open(dir, O_RDWR)).toThrow(expect.objectContaining({ code: "EISDIR" }));
    close(fd);
    fds.splice(0);
  });

  test("bad arguments are argument errors", () => {
    expect(() => open(42 as unknown as string, O_RDONLY)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
    );
    expect(() => open("", O_RDONLY)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
    );
    expect(() => open(at("x"), O_WRONLY | 0o4000000)).toThrow(/flags may combine/);
    expect(() => open(at("x"), O_CREAT | O_RDWR, 0o1777)).toThrow(
      expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
    );
  });
});

describe("mmap of a regular file, step by step", () => {
  test("open, ftruncate, mmap MAP_SHARED, store, msync: the file on disk changes", () => {
    const file = at("data");
    const fd = track(open(file, O_CREAT | O_RDWR, 0o644));
    ftruncate(fd, PAGE_SIZE);
    const m = track(mmap(null, PAGE_SIZE, RW, MAP_SHARED, fd, 0));
    close(fd); // the mapping outlives its descriptor
    m.write(0, "Hello, file\0");
    msync(m, MS_SYNC);
    expect(readFileSync(file).subarray(0, 11).toString()).toBe("Hello, file");
    msync(m, MS_ASYNC);
    // A store through the Buffer itself is in the file too (the same page-cache page).
    m.bytes[0] = "J".charCodeAt(0);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe("Jello");
    munmap(m);
    expect(m.closed).toBe(true);
  });

  test("the mapping is in /proc/self/maps with the file's name and 's', and leaves it at munmap", () => {
    const file = makeFile("maps");
    using f = MappedFile.open(file);
    const entry = procMaps().find((e) => e.start === f.address);
    expect(entry).toMatchObject({ path: file, perms: "rw-s", size: PAGE_SIZE, offset: 0 });
    f.close();
    expect(procMaps().find((e) => e.path === file)).toBeUndefined();
  });

  test("the executable's own segments are memory-mapped files", () => {
    const own = procMaps().filter((e) => e.path === process.execPath);
    expect(own.map((e) => e.perms)).toContain("r-xp");
    const selfmaps = readFileSync(`/proc/self/maps`, "utf8");
    expect(selfmaps).toContain(process.execPath);
  });

  test("MAP_PRIVATE: copy-on-write, the store is private and the page turns Private_Dirty", () => {
    const file = makeFile("cow", PAGE_SIZE, "original");
    using shared = MappedFile.open(file);
    using mine = MappedFile.open(file, { private: true });
    expect(smaps(mine.address).Private_Dirty).toBe(0);
    expect(mine.readString(0)).toBe("original");
    mine.write(0, "private!");
    expect(smaps(mine.address).Private_Dirty).toBe(PAGE_SIZE / 1024);
    expect(mine.readString(0)).toBe("private!");
    expect(shared.readString(0)).toBe("original");
    expect(readFileSync(file).subarray(0, 8).toString()).toBe("original");
    expect(procMaps().find((e) => e.start === mine.address)?.perms).toBe("rw-p");
    // msync of a private mapping writes nothing back.
    mine.sync();
    expect(readFileSync(file).subarray(0, 8).toString()).toBe("original");
  });

  test("MAP_PRIVATE of a read-only descriptor may be written (copy-on-write); MAP_SHARED may not", () => {
    const file = makeFile("ro", PAGE_SIZE, "keep");
    const fd = track(open(file, O_RDONLY));
    const cow = track(mmap(null, PAGE_SIZE, RW, MAP_PRIVATE, fd));
    cow.write(0, "gone");
    expect(readFileSync(file).subarray(0, 4).toString()).toBe("keep");
    expect(() => mmap(null, PAGE_SIZE, RW, MAP_SHARED, fd)).toThrow(
      expect.objectContaining({ code: "EACCES", syscall: "mmap", fd }),
    );
  });

  test("a mapping at a page-aligned offset starts there in the file", () => {
    const file = makeFile("pages", 3 * PAGE_SIZE);
    const fd = openSync(file, "r+");
    writeSync(fd, "page two\0", 2 * PAGE_SIZE);
    closeSync(fd);
    using f = MappedFile.open(file, { offset: 2 * PAGE_SIZE });
    expect(f.length).toBe(PAGE_SIZE);
    expect(f.readString(0)).toBe("page two");
    expect(procMaps().find((e) => e.start === f.address)?.offset).toBe(2 * PAGE_SIZE);
  });
});

describe("bad input and faults: each a clear error, nothing left mapped or open", () => {
  test("a writable MAP_SHARED mapping of a file opened read-only is EACCES", () => {
    const file = makeFile("ro");
    const fd = track(open(file, O_RDONLY));
    expect(() => mmap(null, PAGE_SIZE, RW, MAP_SHARED, fd)).toThrow(
      expect.objectContaining({ code: "EACCES", errno: -13, syscall: "mmap" }),
    );
  });

  test("an offset that is not a multiple of the page size: the library says so; the kernel says EINVAL", () => {
    const file = makeFile("odd", 2 * PAGE_SIZE);
    const fd = track(open(file, O_RDWR));
    expect(() => mmap(null, 100, RW, MAP_SHARED, fd, 100)).toThrow(
      expect.objectContaining({
        code: "ERR_OUT_OF_RANGE",
        message: expect.stringMatching(/multiple of the page size/),
      }),
    );
    expect(() => native.mmap(100, RW, MAP_SHARED, fd, 100)).toThrow(
      expect.objectContaining({ code: "EINVAL", syscall: "mmap" }),
    );
    expect(() => MappedFile.open(file, { offset: 1 })).toThrow(/multiple of the page size/);
  });

  test("length 0: the library refuses it; the kernel says EINVAL", () => {
    const file = makeFile("zero");
    const fd = track(open(file, O_RDWR));
    expect(() => mmap(null, 0, RW, MAP_SHARED, fd)).toThrow(
      expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
    );
    expect(() => native.mmap(0, RW, MAP_SHARED, fd, 0)).toThrow(
      expect.objectContaining({ code: "EINVAL" }),
    );
    writeFileSync(at("empty"), "");
    expect(() => MappedFile.open(at("empty"))).toThrow(/nothing to map/);
  });

  test("a file shorter than the mapping: refused before any page could raise SIGBUS", () => {
    const file = makeFile("short", 100);
    const fd = track(open(file, O_RDWR));
    expect(() => mmap(null, 2 * PAGE_SIZE, RW, MAP_SHARED, fd)).toThrow(/past the end of .*SIGBUS/);
    expect(() => MappedFile.open(file, { length: 2 * PAGE_SIZE })).toThrow(/SIGBUS/);
  });

  test("a directory: open O_RDWR is EISDIR; mapped read-only it is ENODEV", () => {
    expect(() => MappedFile.open(dir)).toThrow(
      expect.objectContaining({ code: "EISDIR", syscall: "open" }),
    );
    const sub = at("sub");
    mkdirSync(sub);
    expect(() => MappedFile.open(sub, { readonly: true, length: 1 })).toThrow(
      expect.objectContaining({ code: "ENODEV", syscall: "mmap" }),
    );
  });

  test("a missing file is ENOENT", () => {
    expect(() => MappedFile.open(at("missing"))).toThrow(
      expect.objectContaining({ code: "ENOENT", syscall: "open", path: at("missing") }),
    );
  });

  test("writes through a read-only mapping throw EACCES instead of dying of SIGSEGV", () => {
    const file = makeFile("ro", PAGE_SIZE, "read me");
    using f = MappedFile.open(file, { readonly: true });
    expect(f.readString(0)).toBe("read me");
    expect(() => f.write(0, "x")).toThrow(
      expect.objectContaining({ code: "EACCES", syscall: "mmap" }),
    );
    expect(() => f.bytes).toThrow(/read-only/);
  });

  test("truncated while mapped: ftruncate succeeds (unlike the note); the library's read throws, a C child dies of SIGBUS", async () => {
    const file = makeFile("shrinks", 2 * PAGE_SIZE, "first page");
    const f = track(MappedFile.open(file));
    f.write(PAGE_SIZE, "second page\0");
    truncateSync(file, 100); // another process could do this too
    expect(f.stat().size).toBe(100);
    expect(f.readString(0)).toBe("first page");
    expect(() => f.read(PAGE_SIZE, 10)).toThrow(
      expect.objectContaining({ code: "ERR_MAPPING_TRUNCATED", size: 100 }),
    );
    expect(() => f.write(PAGE_SIZE, "x")).toThrow(/SIGBUS/);
    const inside = fork("mmap-load", { args: [f.address, 0] });
    expect(await inside.wait()).toMatchObject({ kind: "exited", code: 0 });
    const past = fork("mmap-load", { args: [f.address, PAGE_SIZE] });
    expect(await past.wait()).toMatchObject({ kind: "killed", signal: "SIGBUS" });
    // Grown again, the page is back (zero-filled).
    truncateSync(file, 2 * PAGE_SIZE);
    expect(f.read(PAGE_SIZE, 4)).toEqual(Buffer.alloc(4));
  });

  test("a file unlinked while mapped stays mapped: '(deleted)' in /proc/self/maps", () => {
    const file = makeFile("vanish", PAGE_SIZE, "still here");
    using f = MappedFile.open(file);
    unlinkSync(file);
    expect(f.readString(0)).toBe("still here");
    expect(procMaps().find((e) => e.start === f.address)?.path).toBe(`${file} (deleted)`);
  });

  test("after close every use throws ERR_SHM_CLOSED and old views have length 0", () => {
    const file = makeFile("closed");
    const f = MappedFile.open(file);
    const view = f.bytes;
    f.close();
    f.close(); // idempotent
    expect(view.length).toBe(0);
    for (const use of [
      () => f.read(),
      () => f.write(0, "x"),
      () => f.sync(),
      () => f.residency(),
      () => f.bytes,
    ]) {
      expect(use).toThrow(expect.objectContaining({ code: "ERR_SHM_CLOSED" }));
    }
    const m = mmap(null, PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS, -1);
    munmap(m);
    expect(() => msync(m, MS_SYNC)).toThrow(expect.objectContaining({ code: "ERR_SHM_CLOSED" }));
    expect(() => munmap(m)).toThrow(expect.objectContaining({ code: "ERR_SHM_CLOSED" }));
  });

  test("msync and madvise: a misaligned offset or a bad flag is the kernel's EINVAL", () => {
    const file = makeFile("sync", 2 * PAGE_SIZE);
    using f = MappedFile.open(file);
    expect(() => f.sync(MS_SYNC, 1, 10)).toThrow(
      expect.objectContaining({ code: "EINVAL", syscall: "msync" }),
    );
    expect(() => f.sync(MS_SYNC | MS_ASYNC)).toThrow(
      expect.objectContaining({ code: "EINVAL", syscall: "msync" }),
    );
    expect(() => f.advise(12345)).toThrow(
      expect.objectContaining({ code: "EINVAL", syscall: "madvise" }),
    );
    expect(() => f.sync(MS_SYNC, 0, 3 * PAGE_SIZE)).toThrow(
      expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
    );
    expect(() => msync({} as Mapping, MS_SYNC)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
    );
    expect(() => smaps("nowhere")).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE" }),
    );
    expect(() => smaps("0x10")).toThrow(/no mapping starts at 0x10/);
    expect(() => posixFadvise(-1, POSIX_FADV_DONTNEED)).toThrow(
      expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
    );
  });

  test("mmap with MAP_ANONYMOUS takes fd -1 and offset 0 only", () => {
    expect(() => mmap(null, PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS, 3)).toThrow(/fd must be -1/);
    expect(() => mmap(null, PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, PAGE_SIZE)).toThrow(
      /offset 0/,
    );
    expect(() => mmap(null, PAGE_SIZE, RW, 0, -1)).toThrow(/MAP_SHARED or MAP_PRIVATE/);
  });
});

describe("lazy loading: page faults, residency, hints", () => {
  test("a dropped file is not resident; touching a page faults it in", () => {
    const file = makeFile("lazy", 64 * PAGE_SIZE);
    const fd = openSync(file, "r");
    fsyncSync(fd);
    posixFadvise(fd, POSIX_FADV_DONTNEED);
    closeSync(fd);
    using f = MappedFile.open(file, { readonly: true });
    f.advise(MADV_RANDOM); // no read-ahead: one page at a time
    expect(f.residency().filter(Boolean).length).toBe(0);
    const before = getrusage();
    f.read(10 * PAGE_SIZE, 1);
    const after = getrusage();
    expect(f.residency()[10]).toBe(true);
    expect(after.minflt + after.majflt).toBeGreaterThan(before.minflt + before.majflt);
    f.advise(MADV_SEQUENTIAL);
    f.advise(MADV_WILLNEED);
    f.advise(MADV_DONTNEED);
    expect(mincore(f.mapping).length).toBe(64);
    madvise(f.mapping, MADV_SEQUENTIAL);
  });
});

describe("sharing between processes", () => {
  test("anonymous MAP_SHARED memory is shared with a forked child; MAP_PRIVATE is copied", async () => {
    const shared = track(mmap(null, PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS, -1));
    const priv = track(mmap(null, PAGE_SIZE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1));
    priv.write(0, "parent\0");
    expect(
      await fork("mmap-store", { args: [shared.address, 0, "from child"] }).wait(),
    ).toMatchObject({ code: 0 });
    expect(await fork("mmap-store", { args: [priv.address, 0, "child!"] }).wait()).toMatchObject({
      code: 0,
    });
    expect(shared.readString(0)).toBe("from child");
    expect(priv.readString(0)).toBe("parent");
    expect(procMaps().find((e) => e.start === shared.address)?.perms).toBe("rw-s");
  });

  test("a forked child's store into a MAP_SHARED file mapping reaches the file; into MAP_PRIVATE it does not", async () => {
    const file = makeFile("forked", PAGE_SIZE, "......");
    using f = MappedFile.open(file);
    using p = MappedFile.open(file, { private: true });
    await fork("mmap-store", { args: [p.address, 0, "secret"] }).wait();
    expect(readFileSync(file).subarray(0, 6).toString()).toBe("......");
    await fork("mmap-store", { args: [f.address, 0, "shared"] }).wait();
    expect(readFileSync(file).subarray(0, 6).toString()).toBe("shared");
  });

  test("TS -> TS and TS <- TS through the same file", async () => {
    const file = makeFile("ts", PAGE_SIZE);
    using f = MappedFile.open(file);
    f.write(0, "from the parent\0");
    expect(await node("read", file)).toMatchObject({ code: 0, stdout: "from the parent\n" });
    expect(await node("write", file, "from a TS peer")).toMatchObject({ code: 0, stderr: "" });
    expect(f.readString(0)).toBe("from a TS peer");
  });

  test("TS -> C and C -> TS", async () => {
    const file = makeFile("c", PAGE_SIZE);
    using f = MappedFile.open(file);
    f.write(0, "from TypeScript\0");
    expect(await c("mmap_reader", file)).toMatchObject({
      code: 0,
      stdout: "from TypeScript\n",
      stderr: "",
    });
    expect(await c("mmap_writer", file, "from C")).toMatchObject({ code: 0, stderr: "" });
    expect(f.readString(0)).toBe("from C");
  });

  test("TS -> Python and Python -> TS (Python's mmap module)", async () => {
    const file = makeFile("py", PAGE_SIZE);
    using f = MappedFile.open(file);
    f.write(0, "from TypeScript\0");
    expect(await python(PY_READ, file)).toMatchObject({
      code: 0,
      stdout: "from TypeScript\n",
      stderr: "",
    });
    expect(await python(PY_WRITE, file, "from Python")).toMatchObject({ code: 0, stderr: "" });
    expect(f.readString(0)).toBe("from Python");
  });

  test("live, with no msync: TS pings and a C, a Python and a TS peer each answer in the shared page", async () => {
    for (const [label, start] of [
      [
        "C",
        (file: string, ready: () => void) =>
          run(
            path.join(binDir, "mmap_pingpong"),
            [file, "ping", "pong"],
            (out) => out.includes("ready") && ready(),
          ),
      ],
      [
        "Python",
        (file: string, ready: () => void) =>
          run("python3", ["-c", PY_PONG, file, "ping"], (out) => out.includes("ready") && ready()),
      ],
      [
        "TS",
        (file: string, ready: () => void) =>
          run(
            process.execPath,
            [path.join(fixtures, "mmap-peer.mjs"), "pong", file, "ping", "pong"],
            (out) => out.includes("ready") && ready(),
          ),
      ],
    ] as const) {
      const file = makeFile(`live-${label}`, PAGE_SIZE);
      using f = MappedFile.open(file);
      let ready!: () => void;
      const isReady = new Promise<void>((resolve) => (ready = resolve));
      const peer = start(file, ready);
      await Promise.race([isReady, peer]);
      f.write(0, "ping\0");
      await waitFor(() => f.readString(64), "pong");
      expect(await peer, label).toMatchObject({ code: 0 });
    }
  });

  test("live the other way: C pings into a TS peer's mapping", async () => {
    const file = makeFile("c-ping", PAGE_SIZE);
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    const peer = run(
      process.execPath,
      [path.join(fixtures, "mmap-peer.mjs"), "pong", file, "c says hi", "ts answers"],
      (out) => {
        if (out.includes("ready")) ready();
      },
    );
    await Promise.race([isReady, peer]);
    expect(await c("mmap_writer", file, "c says hi")).toMatchObject({ code: 0 });
    expect(await peer).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('saw "c says hi"'),
    });
    expect(await c("mmap_reader", file, "64")).toMatchObject({ stdout: "ts answers\n" });
  });

  test("a peer killed right after its store: the store is in the file (the page cache keeps it)", async () => {
    const file = makeFile("killed", PAGE_SIZE);
    const code = `
import mmap, os, signal, sys
with open(sys.argv[1], "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    m[0:9] = b"survives\\0"
    os.kill(os.getpid(), signal.SIGKILL)`;
    expect(await python(code, file)).toMatchObject({ signal: "SIGKILL" });
    using f = MappedFile.open(file, { readonly: true });
    expect(f.readString(0)).toBe("survives");
  });

  test("MappedFiles dropped without close() are released by their finalizers", async () => {
    const result = await run(process.execPath, [
      "--expose-gc",
      path.join(fixtures, "mmap-gc.mjs"),
      at("gc.bin"),
    ]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(result.stdout)).toEqual({
      before: { mapped: 10, open: 10 },
      after: { mapped: 0, open: 0 },
    });
  });

  test("C shows copy-on-write and SIGBUS for itself", async () => {
    const file = makeFile("c-cow", PAGE_SIZE, "hello mapped file");
    const cow = await c("mmap_private", file);
    expect(cow.stdout).toMatch(/before: .*Private_Dirty 0 kB/);
    expect(cow.stdout).toMatch(/after: .*PRIVATE COPY.*Private_Dirty 4 kB/);
    expect(cow.stdout).toContain('the file has  "hello mapped fil"');
    const bus = await c("mmap_sigbus", at("c-bus"));
    expect(bus).toMatchObject({ code: 0, stderr: "" });
    expect(bus.stdout).toContain("ftruncate(fd, 100) while mapped: succeeded");
    expect(bus.stdout).toContain("past the end): killed by SIGBUS");
    const own = await c("mmap_selfmaps");
    expect(own.stdout).toMatch(/r-xp .*mmap_selfmaps\n/);
  });
});
