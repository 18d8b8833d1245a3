// The public surface of ipc-lab is lib/index.ts's explicit list. This is the
// reviewed copy of it: a name exported by accident (a helper, a generic type
// that would collide with the next mechanism's), or removed by accident,
// fails here until this list is changed too.
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";
import { createRequire } from "node:module";

// As tslab loads it: require() of the CommonJS package (an ESM import adds "default").
const lib = createRequire(import.meta.url)("ipc-lab") as Record<string, unknown>;

const values = [
  // general
  "SystemError",
  "addonPath",
  "binDir",
  "O_RDONLY",
  "O_WRONLY",
  "O_RDWR",
  "O_CREAT",
  "O_EXCL",
  "O_TRUNC",
  "O_NONBLOCK",
  "O_CLOEXEC",
  "PROT_NONE",
  "PROT_READ",
  "PROT_WRITE",
  "MAP_SHARED",
  "MAP_PRIVATE",
  "NAME_MAX",
  "PIPE_BUF",
  "PAGE_SIZE",
  "Descriptor",
  "pendingWaits",
  "pendingBlockingWaits",
  "read",
  "readSync",
  "readIntoSync",
  "readAll",
  "write",
  "writeSync",
  "close",
  "dup",
  "dup2",
  "fdFlags",
  "setNonblocking",
  "setCloexec",
  "openFds",
  "ftruncate",
  "fstat",
  "formatPermissions",
  "mmap",
  "munmap",
  "MAX_MAPPING",
  "Mapping",
  "hexdump",
  // processes
  "getpid",
  "getppid",
  "fork",
  "routines",
  "Child",
  "spawnWithFds",
  "SpawnedChild",
  "kill",
  "waitpid",
  "waitpidSync",
  "setChildSubreaper",
  "demoGlobal",
  // mechanisms
  "pipe",
  "pipeSize",
  "setPipeSize",
  "mkfifo",
  "openFifo",
  "Fifo",
  "stat",
  "unlink",
  "umask",
  "SeqnumServer",
  "seqnumRequest",
  "seqnumClientPath",
  "SEQNUM_SERVER_FIFO",
  "SEQNUM_CLIENT_TEMPLATE",
  "shmOpen",
  "shmUnlink",
  "SharedMemory",
  "SHM_DIR",
  "IPC_PRIVATE",
  "IPC_CREAT",
  "IPC_EXCL",
  "IPC_RMID",
  "IPC_STAT",
  "SHM_RDONLY",
  "formatKey",
  "ftok",
  "shmget",
  "shmat",
  "shmdt",
  "shmctl",
  "listSegments",
  "Semaphore",
];

const types = [
  "ByteInput",
  "WaitOptions",
  "OpenFd",
  "FileStat",
  "MappingKind",
  "HexdumpOptions",
  "ForkOptions",
  "SpawnOptions",
  "WaitSyncOptions",
  "WaitStatus",
  "PipeOptions",
  "MkfifoOptions",
  "FifoOpenOptions",
  "FifoAccess",
  "PathStat",
  "SeqnumPaths",
  "SeqnumRequestOptions",
  "SeqnumServerOptions",
  "ShmCreateOptions",
  "ShmOpenOptions",
  "ShmEntry",
  "ShmidDs",
  "SysvSegment",
  "SemaphoreOpenOptions",
];

test("the values ipc-lab exports are exactly the reviewed list", () => {
  expect(Object.keys(lib).sort()).toEqual([...values].sort());
});

test("the types ipc-lab exports are exactly the reviewed list", () => {
  // Types leave no trace at run time: read them from the index's own export list.
  const file = path.resolve(import.meta.dirname, "..", "lib", "index.ts");
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const exported: string[] = [];
  source.forEachChild((node) => {
    if (!ts.isExportDeclaration(node)) return;
    expect(node.exportClause, "no `export *` in lib/index.ts").toBeDefined();
    for (const element of (node.exportClause as ts.NamedExports).elements) {
      if (node.isTypeOnly || element.isTypeOnly) exported.push(element.name.text);
    }
  });
  expect(exported.sort()).toEqual([...types].sort());
});

test("no two mechanisms' names collide: every exported name is unique", () => {
  const all = [...values, ...types];
  expect(new Set(all).size).toBe(all.length);
});
