// A2 graded for real, the command-line tools, and the Gradescope autograder
// zip: its layout, and run_autograder run against a stand-in for /autograder.
import { execFile } from "node:child_process";
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  copyFileSync,
  mkdirSync,
  existsSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Graded } from "../../grader/src/grade.ts";
import { buildZip } from "../../grader/src/gradescope.ts";
import { root } from "../../grader/src/assignments.ts";
import { fixtures, gradeAll, leftovers, runReaped } from "./helpers.ts";

const run = promisify(execFile);
const tsx = path.join(root, "node_modules", ".bin", "tsx");
// Outside /tmp, as /autograder is: the kernel gets a private /tmp.
const scratch = mkdtempSync(
  path.join(existsSync("/var/tmp") ? "/var/tmp" : tmpdir(), "ipc-lab-grader-test-"),
);
let graded: Map<string, Graded>;
const get = (name: string) => graded.get(name)!;

beforeAll(async () => {
  graded = await gradeAll(
    ["A2-reference", "A2-leaked-shm", "A2-empty", "A2-no-ipc"],
    "A2-shared-memory",
    1,
  );
}, 600_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test("A2: the reference solution scores full marks; the consumer is a separate process", () => {
  expect(get("A2-reference").results.score).toBe(10);
  expect(
    get("A2-reference").tests.find((t) => t.gradeId === "a2-test-layout")!.report.output,
  ).toContain("the consumer read 3 records; the object is gone");
});

test("A2: a leaked shared-memory object loses the tests that look for it, and is removed", () => {
  const g = get("A2-leaked-shm");
  expect(g.results.score).toBe(2);
  const byId = (id: string) => g.tests.find((t) => t.gradeId === id)!.report.output;
  expect(byId("a2-test-layout")).toMatch(
    /removeRecords should remove \/dev\/shm\/a2-layout-\S+ \(shm_unlink\)/,
  );
  expect(byId("a2-test-edges")).toContain("a refused table must leave no object behind");
  expect(leftovers(g)).toEqual([]);
});

test("A2: records kept in the notebook process (no shared memory) score 0", () => {
  const g = get("A2-no-ipc");
  expect(g.results.score).toBe(0);
  const byId = (id: string) => g.tests.find((t) => t.gradeId === id)!.report.output;
  expect(byId("a2-test-roundtrip")).toMatch(
    /writeRecords should create \/dev\/shm\/a2-round-\S+, 1032 bytes/,
  );
  expect(byId("a2-test-cycles")).toMatch(
    /cycle 0: writeRecords should create \/dev\/shm\/a2-cycle0-/,
  );
  expect(leftovers(g)).toEqual([]);
});

test("A2: an empty submission scores 0", () => {
  expect(get("A2-empty").results.score).toBe(0);
  expect(leftovers(get("A2-empty"))).toEqual([]);
});

test("npm run grade writes results.json and exits 0 whatever the score", async () => {
  const out = path.join(scratch, "cli", "results.json");
  const { stdout } = await runReaped(
    tsx,
    ["grader/src/cli/grade.ts", path.join(fixtures, "A2-empty.ipynb"), "--out", out],
    {
      cwd: root,
    },
  );
  expect(stdout).toMatch(/0 \/ 10 points/);
  expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({
    score: 0,
    stdout_visibility: "hidden",
  });
}, 120_000);

test("npm run grade exits 2, naming the problem, when it cannot grade", async () => {
  const failed = await runReaped(
    tsx,
    ["grader/src/cli/grade.ts", path.join(fixtures, "A2-empty.ipynb"), "--assignment", "A9"],
    {
      cwd: root,
    },
  ).catch((error: { code: number; stderr: string }) => error);
  expect(failed).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('unknown assignment "A9"'),
  });
});

test("npm run check runs the visible tests only, with the same feedback", async () => {
  const { stdout } = await runReaped(
    tsx,
    ["grader/src/cli/check.ts", path.join(fixtures, "A2-reference.ipynb")],
    { cwd: root },
  );
  expect(stdout).toContain("5 / 5 points (visible tests only)");
  expect(stdout).toMatch(/\?\/3 .*\[run by the grader only\]/);
  expect(stdout).toContain("The grader also runs hidden tests");
  expect(stdout).not.toContain("a2-hidden-");
}, 120_000);

test("the Gradescope zip has setup.sh and an executable run_autograder at its top", async () => {
  const zip = await buildZip("A2-shared-memory");
  const { stdout } = await run("unzip", ["-Z", zip]);
  expect(stdout).toMatch(/^-rwxr-xr-x .* run_autograder$/m);
  expect(stdout).toMatch(/ setup\.sh$/m);
  for (const file of [
    "package.json",
    "package-lock.json",
    "requirements.txt",
    "lib/shm.ts",
    "native/binding.gyp",
    "scripts/build.mjs",
    "grader/src/cli/grade.ts",
    "grader/src/sandbox/kernel-runner.py",
    "assignments/A2-shared-memory/A2-shared-memory.ipynb",
    "assignments/A2-shared-memory/consumer.mjs",
    "assignments/release/A2-shared-memory/A2-shared-memory.ipynb",
  ]) {
    expect(stdout, file).toMatch(new RegExp(` ${file.replace(/\./g, "\\.")}$`, "m"));
  }
  expect(stdout).not.toMatch(/A1-duplex-pipes|node_modules|native\/build|lib\/dist/);
  const { stderr } = await run("bash", ["-n", path.join(root, "grader", "gradescope", "setup.sh")]);
  expect(stderr).toBe("");
});

test("run_autograder grades /autograder/submission into /autograder/results (a stand-in root)", async () => {
  const zip = await buildZip("A2-shared-memory");
  const autograder = path.join(scratch, "autograder");
  const source = path.join(autograder, "source");
  mkdirSync(source, { recursive: true });
  await run("unzip", ["-q", zip, "-d", source]);
  // What setup.sh would have built: borrowed from this checkout.
  for (const built of ["node_modules", ".venv"])
    symlinkSync(path.join(root, built), path.join(source, built));
  mkdirSync(path.join(autograder, "submission"));
  copyFileSync(
    path.join(fixtures, "A2-leaked-shm.ipynb"),
    path.join(autograder, "submission", "hand-in.ipynb"),
  );
  await runReaped(path.join(source, "run_autograder"), [], {
    env: { ...process.env, AUTOGRADER_ROOT: autograder },
  });
  const results = JSON.parse(
    readFileSync(path.join(autograder, "results", "results.json"), "utf8"),
  );
  expect(results).toMatchObject({ score: 2, extra_data: { assignment: "A2-shared-memory" } });
  expect(
    results.tests.filter((t: { visibility: string }) => t.visibility === "after_published"),
  ).toHaveLength(2);
  expect(statSync(path.join(source, "run_autograder")).mode & 0o111).not.toBe(0);
  expect(existsSync(path.join(autograder, "results"))).toBe(true);
}, 180_000);

test("run_autograder explains a hand-in without exactly one notebook", async () => {
  const autograder = path.join(scratch, "empty-autograder");
  mkdirSync(path.join(autograder, "submission"), { recursive: true });
  await run(path.join(root, "grader", "gradescope", "run_autograder"), [], {
    env: { ...process.env, AUTOGRADER_ROOT: autograder, IPC_LAB_SOURCE: root },
  });
  const results = JSON.parse(
    readFileSync(path.join(autograder, "results", "results.json"), "utf8"),
  );
  expect(results).toEqual({
    score: 0,
    output: "Hand in exactly one .ipynb notebook (found 0).",
    tests: [],
  });
});

test("graded notebooks and CLI runs leave no sandbox behind", () => {
  for (const g of graded.values()) expect(leftovers(g)).toEqual([]);
});
