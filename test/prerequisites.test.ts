// A newcomer missing a prerequisite gets one clear message saying what is
// missing and how to get it, not a stack trace, and a non-zero exit.
import { execFile } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
let onlyNode: string;

beforeAll(async () => {
  // A PATH that holds node and nothing else: no compiler, no make, no python.
  onlyNode = await mkdtemp(path.join(tmpdir(), "ipc-lab-path-"));
  await symlink(process.execPath, path.join(onlyNode, "node"));
});

afterAll(async () => {
  await rm(onlyNode, { recursive: true, force: true });
});

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    await promisify(execFile)(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...env },
    });
    return { code: 0, stderr: "" };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

function expectClearMessage(result: { code: number; stderr: string }, ...lines: string[]) {
  expect(result.code).toBe(1);
  for (const line of lines) expect(result.stderr).toContain(line);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

test("the build names a missing compiler and how to install it", async () => {
  const result = await run(["scripts/build.mjs"], { PATH: onlyNode });
  expectClearMessage(result, "Missing: cc, c++, make.", "apt-get install build-essential");
});

test("the build refuses a Node older than 20", async () => {
  const result = await run([
    "-e",
    'Object.defineProperty(process.versions, "node", { value: "18.19.0" }); import("./scripts/build.mjs")',
  ]);
  expectClearMessage(result, "Node.js 20 or newer is needed; this is Node 18.19.0.");
});

test("npm start names a missing python3", async () => {
  const result = await run(["scripts/start.mjs", "--no-browser"], { PATH: onlyNode, PYTHON: "" });
  expectClearMessage(result, "Python 3.10 or newer (python3) is needed");
});

test("npm start names a port that is taken and suggests another", async () => {
  const taken = net.createServer().listen(0, "127.0.0.1");
  await once(taken, "listening");
  const { port } = taken.address() as net.AddressInfo;
  try {
    const result = await run(["scripts/start.mjs", "--port", String(port), "--no-browser"]);
    expectClearMessage(
      result,
      `Port ${port} is taken by another program.`,
      `npm start -- --port ${port + 1}`,
    );
  } finally {
    taken.close();
  }
});

test("npm start rejects a port that is not a port number", async () => {
  const result = await run(["scripts/start.mjs", "--port=http", "--no-browser"]);
  expectClearMessage(result, "--port must be a number from 1 to 65535, got NaN");
});
