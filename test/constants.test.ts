// One convention for the kernel's values: the addon reads them from the C
// headers (native/src/constants.cc) and lib/constants.ts types them once.
// Checked here against sources that know them independently: Node's own
// fs/os constants (compiled against the same headers), Python's os module,
// getconf, and a C compiler reading <sys/ipc.h> and <sys/shm.h> now.
import { execFileSync } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import * as lib from "ipc-lab";
import { native } from "./fixtures/internals.ts";

test("open's flags are the ones Node's fs.constants has", () => {
  for (const name of [
    "O_RDONLY",
    "O_WRONLY",
    "O_RDWR",
    "O_CREAT",
    "O_EXCL",
    "O_TRUNC",
    "O_NONBLOCK",
  ] as const) {
    expect(lib[name], name).toBe(fsConstants[name]);
  }
});

test("PAGE_SIZE and PIPE_BUF are what getconf says", () => {
  expect(lib.PAGE_SIZE).toBe(Number(execFileSync("getconf", ["PAGESIZE"], { encoding: "utf8" })));
  expect(lib.PIPE_BUF).toBe(
    Number(execFileSync("getconf", ["PIPE_BUF", "/"], { encoding: "utf8" })),
  );
  expect(lib.NAME_MAX).toBe(
    Number(execFileSync("getconf", ["NAME_MAX", "/"], { encoding: "utf8" })),
  );
});

test("System V's and mmap's values are what a C compiler reads from the headers now", () => {
  const names = [
    "IPC_PRIVATE",
    "IPC_CREAT",
    "IPC_EXCL",
    "IPC_RMID",
    "IPC_STAT",
    "SHM_RDONLY",
    "PROT_READ",
    "PROT_WRITE",
    "MAP_SHARED",
    "MAP_PRIVATE",
    "O_CLOEXEC",
  ] as const;
  const dir = mkdtempSync(path.join(tmpdir(), "ipc-lab-constants-"));
  try {
    const source = path.join(dir, "constants.c");
    writeFileSync(
      source,
      "#define _GNU_SOURCE\n#include <fcntl.h>\n#include <stdio.h>\n#include <sys/ipc.h>\n" +
        "#include <sys/mman.h>\n#include <sys/shm.h>\nint main(void) {\n" +
        names.map((name) => `  printf("%s %ld\\n", "${name}", (long)${name});\n`).join("") +
        "  return 0;\n}\n",
    );
    execFileSync("cc", ["-o", path.join(dir, "constants"), source]);
    const printed = Object.fromEntries(
      execFileSync(path.join(dir, "constants"), { encoding: "utf8" })
        .trim()
        .split("\n")
        .map((line) => [line.split(" ")[0], Number(line.split(" ")[1])]),
    );
    expect(Object.fromEntries(names.map((name) => [name, lib[name]]))).toEqual(printed);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("the library passes the addon's values through: no private copies", () => {
  expect(lib.O_CREAT).toBe(native.constants.O_CREAT);
  expect(lib.IPC_STAT).toBe(native.constants.IPC_STAT);
});
