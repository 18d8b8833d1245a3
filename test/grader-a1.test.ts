// A1's wrong submissions, graded for real (sandboxed tslab kernels): each gets
// its expected score and a clear message, and leaves nothing behind.
import { beforeAll, expect, test } from "vitest";
import type { Graded } from "../grader/src/grade.ts";
import { extra, gradeAll, leftovers, testNamed } from "./grader/fixtures.ts";

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

test("the reference solution scores full marks with visible and hidden tests", () => {
  const r = get("A1-reference").results;
  expect(r.score).toBe(10);
  expect(r.tests.map((t) => [t.visibility, t.max_score])).toEqual([
    ["visible", 2],
    ["visible", 2],
    ["after_published", 3],
    ["after_published", 3],
  ]);
  expect(get("A1-reference").run!.kernels).toBe(2);
});

test("an empty submission scores 0 and says the code is not written", () => {
  expect(get("A1-empty").results.score).toBe(0);
  expect(testNamed(get("A1-empty"), "a1-test-short").report.output).toContain(
    "not implemented yet",
  );
});

test("a pipe end left open is a deadlock: 0 points, the test says so", () => {
  expect(get("A1-deadlock").results.score).toBe(0);
  expect(testNamed(get("A1-deadlock"), "a1-test-short").report.output).toMatch(
    /askChild did not finish within 5 s: a deadlock: a pipe end is still open/,
  );
});

test("a child never reaped loses the cleanliness tests only", () => {
  expect(get("A1-no-reap").results.score).toBe(5);
  expect(failing("A1-no-reap")).toEqual(["a1-test-clean", "a1-test-edges"]);
  expect(testNamed(get("A1-no-reap"), "a1-test-clean").report.output).toMatch(
    /still there after askChild returned .*zombie/,
  );
});

test("an infinite loop is stopped at the cell's time limit; the other tests still count", () => {
  const g = get("A1-infinite-loop");
  expect(g.results.score).toBe(7);
  expect(testNamed(g, "a1-test-edges").report).toMatchObject({ status: "timeout" });
  expect(testNamed(g, "a1-test-edges").report.note).toMatch(/time limit \(10 s\) was reached/);
});

test("a memory hog is killed at the memory limit and the kernel restarts for the next test", () => {
  const g = get("A1-memory-hog");
  expect(g.results.score).toBe(7);
  expect(testNamed(g, "a1-test-large").report).toMatchObject({
    status: "memory",
    note: expect.stringMatching(/memory limit \(1024 MiB\) was exceeded/),
  });
  expect(g.run!.kernels).toBe(3);
});

test("a fork bomb hits the process limit: every test fails with EAGAIN and says why", () => {
  const g = get("A1-fork-bomb");
  expect(g.results.score).toBe(0);
  for (const t of g.tests) {
    expect(t.report.note, t.gradeId).toBe("the process limit (256 tasks) was reached");
    expect(t.report.output, t.gradeId).toContain("fork: EAGAIN (Resource temporarily unavailable)");
  }
});

test("edited and deleted locked test cells are restored, and the tampering is reported", () => {
  const g = get("A1-edited-locked");
  expect(g.tampered).toEqual([
    { gradeId: "a1-test-clean", what: "edited" },
    { gradeId: "a1-test-short", what: "deleted" },
  ]);
  expect(g.results.score).toBe(5); // its leaked descriptor fails the restored tests
  expect(extra(g, "Locked cells unchanged")!.output).toContain("cell a1-test-clean: edited");
  expect(g.results.output).toContain(
    "Tampering detected: a1-test-clean edited, a1-test-short deleted",
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
  expect(g.results.tests.filter((t) => t.max_score > 0)).toHaveLength(4);
});

test("every grading removed its processes, cgroups and files", () => {
  for (const name of names) expect(leftovers(get(name)), name).toEqual([]);
});

test("results.json has Gradescope's fields", () => {
  const r = get("A1-no-reap").results;
  expect(r).toMatchObject({ score: 5, visibility: "visible", stdout_visibility: "hidden" });
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
