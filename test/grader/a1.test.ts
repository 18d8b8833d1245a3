// A1's wrong submissions, graded for real (sandboxed tslab kernels): each gets
// its expected score and a clear message, and leaves nothing behind.
import { beforeAll, expect, test } from "vitest";
import type { Graded } from "../../grader/src/grade.ts";
import { extra, gradeAll, leftovers, testNamed } from "./helpers.ts";

const names = [
  "A1-reference",
  "A1-empty",
  "A1-deadlock",
  "A1-no-reap",
  "A1-infinite-loop",
  "A1-memory-hog",
  "A1-fork-bomb",
  "A1-edited-locked",
  "A1-read-hidden",
  "A1-syntax-error",
  "A1-not-a-notebook",
  "A1-no-ipc",
  "A1-fake-child",
  "A1-write-then-read",
];
let graded: Map<string, Graded>;
const get = (name: string) => graded.get(name)!;
const failing = (name: string) =>
  get(name)
    .tests.filter((t) => t.report.status !== "ok")
    .map((t) => t.gradeId);

beforeAll(async () => {
  graded = await gradeAll(names, "A1-duplex-pipes", 2);
}, 600_000);

const ipcTests = [
  "a1-test-child",
  "a1-test-short",
  "a1-test-wiring",
  "a1-test-large",
  "a1-test-edges",
];
const parentTests = ipcTests.filter((id) => id !== "a1-test-child");

test("the reference solution scores full marks with visible and hidden tests", () => {
  const r = get("A1-reference").results;
  expect(r.score).toBe(10);
  expect(r.tests.map((t) => [t.visibility, t.max_score])).toEqual([
    ["visible", 2],
    ["visible", 2],
    ["after_published", 2],
    ["after_published", 2],
    ["after_published", 2],
  ]);
  expect(get("A1-reference").run!.kernels).toBe(2);
  expect(testNamed(get("A1-reference"), "a1-test-short").report.output).toMatch(
    /child \d+ of \d+, fd 0 and fd 1 pipes; no pipe end left open, child reaped: exited 0/,
  );
});

test("no IPC at all (the answer computed in the notebook process) scores 0 on every test", () => {
  const g = get("A1-no-ipc");
  expect(g.results.score).toBe(0);
  expect(failing("A1-no-ipc")).toEqual(ipcTests);
  expect(testNamed(g, "a1-test-short").report.output).toContain(
    "askChild(request, program) must run the program it is given, in a new process",
  );
  expect(testNamed(g, "a1-test-wiring").report.output).toContain(
    "no child process running the program was found while askChild ran",
  );
});

test("a real child on real pipes whose answer is computed in the parent scores only its child", () => {
  const g = get("A1-fake-child");
  expect(g.results.score).toBe(2);
  expect(failing("A1-fake-child")).toEqual(parentTests);
  expect(testNamed(g, "a1-test-wiring").report.output).toMatch(
    /while askChild ran: this process holds no write end of the pipe at the child's fd 0/,
  );
});

test("writing the whole request before reading deadlocks on 1 MiB only", () => {
  const g = get("A1-write-then-read");
  expect(g.results.score).toBe(8);
  expect(failing("A1-write-then-read")).toEqual(["a1-test-large"]);
  expect(testNamed(g, "a1-test-large").report.output).toMatch(
    /askChild did not finish within 7 s: with a request larger than the pipe, the parent must read the reply while it writes/,
  );
});

test("an empty submission scores 0 and says the code is not written", () => {
  expect(get("A1-empty").results.score).toBe(0);
  expect(testNamed(get("A1-empty"), "a1-test-child").report.output).toContain(
    "not implemented yet",
  );
  expect(testNamed(get("A1-empty"), "a1-test-short").report.output).toContain(
    "not implemented yet",
  );
});

test("a pipe end left open in the parent is a deadlock: only the child's own test passes", () => {
  expect(get("A1-deadlock").results.score).toBe(2);
  expect(failing("A1-deadlock")).toEqual(parentTests);
  expect(testNamed(get("A1-deadlock"), "a1-test-short").report.output).toMatch(
    /askChild did not finish within 5 s: a deadlock: a pipe end is still open/,
  );
});

test("a child never reaped loses the tests that look for it", () => {
  expect(get("A1-no-reap").results.score).toBe(4);
  expect(failing("A1-no-reap")).toEqual(["a1-test-short", "a1-test-wiring", "a1-test-edges"]);
  expect(testNamed(get("A1-no-reap"), "a1-test-short").report.output).toMatch(
    /still there after askChild returned .*zombie/,
  );
  expect(testNamed(get("A1-no-reap"), "a1-test-wiring").report.output).toMatch(
    /child \d+ was not reaped/,
  );
});

test("an infinite loop is stopped at the cell's time limit; the other tests still count", () => {
  const g = get("A1-infinite-loop");
  expect(g.results.score).toBe(8);
  expect(testNamed(g, "a1-test-edges").report).toMatchObject({ status: "timeout" });
  expect(testNamed(g, "a1-test-edges").report.note).toMatch(/time limit \(10 s\) was reached/);
});

test("a memory hog is killed at the memory limit and the kernel restarts for the next test", () => {
  const g = get("A1-memory-hog");
  expect(g.results.score).toBe(8);
  expect(testNamed(g, "a1-test-large").report).toMatchObject({
    status: "memory",
    note: expect.stringMatching(/memory limit \(1024 MiB\) was exceeded/),
  });
  expect(g.run!.kernels).toBe(3);
});

test("a fork bomb hits the process limit: every test of askChild fails with EAGAIN and says why", () => {
  const g = get("A1-fork-bomb");
  expect(g.results.score).toBe(2); // the child program, run by the test, is right
  expect(failing("A1-fork-bomb")).toEqual(parentTests);
  for (const t of g.tests.filter((t) => parentTests.includes(t.gradeId))) {
    expect(t.report.note, t.gradeId).toBe("the process limit (256 tasks) was reached");
    expect(t.report.output, t.gradeId).toContain("EAGAIN (Resource temporarily unavailable)");
  }
});

test("edited and deleted locked test cells are restored, and the tampering is reported", () => {
  const g = get("A1-edited-locked");
  expect(g.tampered).toEqual([
    { gradeId: "a1-test-short", what: "edited" },
    { gradeId: "a1-test-child", what: "deleted" },
  ]);
  expect(g.results.score).toBe(6); // its leaked descriptor fails the restored tests
  expect(failing("A1-edited-locked")).toEqual(["a1-test-short", "a1-test-edges"]);
  expect(extra(g, "Locked cells unchanged")!.output).toContain("cell a1-test-short: edited");
  expect(g.results.output).toContain(
    "Tampering detected: a1-test-short edited, a1-test-child deleted",
  );
});

test("a submission looking for the hidden tests finds nothing, and cannot patch the assertions", () => {
  const g = get("A1-read-hidden");
  expect(extra(g, "Your code runs")!.output).toMatch(
    /read-hidden: no hidden tests found in \d+ files; could not patch assert.equal/,
  );
  expect(g.results.score).toBe(10);
  const visibleOutputs = JSON.stringify(g.prefix);
  expect(visibleOutputs).not.toContain("a1-hidden-");
});

test("a syntax error scores 0 and shows the compiler's message for the student's cell", () => {
  const g = get("A1-syntax-error");
  expect(g.results.score).toBe(0);
  expect(extra(g, "Your code runs")!.output).toMatch(
    /Your cell a1-solution failed \(error\):\n.*'\)' expected/,
  );
});

test("a file that is not a notebook scores 0 with the reason, and grading still works", () => {
  const g = get("A1-not-a-notebook");
  expect(g.results.score).toBe(0);
  expect(g.invalid).toMatch(/is not a notebook: invalid JSON/);
  expect(g.results.tests.filter((t) => t.max_score > 0)).toHaveLength(5);
});

test("every grading removed its processes, cgroups and files", () => {
  for (const name of names) expect(leftovers(get(name)), name).toEqual([]);
});

test("results.json has Gradescope's fields", () => {
  const r = get("A1-no-reap").results;
  expect(r).toMatchObject({ score: 4, visibility: "visible", stdout_visibility: "hidden" });
  expect(typeof r.execution_time).toBe("number");
  for (const t of r.tests) {
    expect(Object.keys(t).sort()).toEqual([
      "max_score",
      "name",
      "number",
      "output",
      "score",
      "status",
      "tags",
      "visibility",
    ]);
  }
});
