// lib/native.ts is the one loader of the addon: when the binary is missing
// it says which command builds it; any other load failure is rethrown as is.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, expect, test } from "vitest";
import { addonPath } from "ipc-lab";

const dist = path.resolve(import.meta.dirname, "..", "lib", "dist");
let scratch: string | undefined;

afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** A copy of the compiled library in a tree with no built addon. */
async function libraryWithoutAddon(): Promise<string> {
  scratch = await mkdtemp(path.join(tmpdir(), "ipc-lab-loader-"));
  await cp(dist, path.join(scratch, "lib", "dist"), { recursive: true });
  return scratch;
}

async function load(tree: string): Promise<string> {
  const entry = path.join(tree, "lib", "dist", "index.js");
  try {
    await promisify(execFile)(process.execPath, ["-e", `require(${JSON.stringify(entry)})`]);
    return "";
  } catch (error) {
    return (error as { stderr: string }).stderr;
  }
}

test("the addon path points into native/build", () => {
  expect(addonPath).toBe(
    path.resolve(import.meta.dirname, "..", "native", "build", "Release", "ipc_lab.node"),
  );
});

test("a missing addon names the command that builds it", async () => {
  const tree = await libraryWithoutAddon();
  const stderr = await load(tree);
  expect(stderr).toContain("ipc-lab: the native addon is not built");
  expect(stderr).toContain(path.join(tree, "native", "build", "Release", "ipc_lab.node"));
  expect(stderr).toContain("Build it with:  npm install");
});

test("a broken addon is reported as it is, not as missing", async () => {
  const tree = await libraryWithoutAddon();
  await mkdir(path.join(tree, "native", "build", "Release"), { recursive: true });
  await writeFile(path.join(tree, "native", "build", "Release", "ipc_lab.node"), "not a library");
  const stderr = await load(tree);
  expect(stderr).not.toContain("is not built");
  expect(stderr).toMatch(/invalid ELF header|file too short/);
});
