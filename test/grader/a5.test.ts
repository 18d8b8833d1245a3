// A5 graded for real (sandboxed tslab kernels): the fixture table of expected
// scores. Workers are separate processes that post results only they can
// compute; a submission that passes jobs without a message queue scores 0.
import { beforeAll, expect, test } from "vitest";
import type { Graded } from "../../grader/src/grade.ts";
import { gradeAll, leftovers } from "./helpers.ts";

// fixture -> [score, the grade cells it fails]
const table: Record<string, [number, string[]]> = {
  "A5-reference": [10, []],
  "A5-no-queue": [0, ["a5-test-basic", "a5-test-priority", "a5-test-many", "a5-test-dead-worker"]],
  "A5-send-all-first": [5, ["a5-test-many", "a5-test-dead-worker"]],
  "A5-ignores-dead-worker": [8, ["a5-test-dead-worker"]],
};
let graded: Map<string, Graded>;
const get = (name: string) => graded.get(name)!;
const failing = (name: string) =>
  get(name)
    .tests.filter((t) => t.report.status !== "ok")
    .map((t) => t.gradeId)
    .sort();

beforeAll(async () => {
  graded = await gradeAll(Object.keys(table), "A5-job-queue", 2);
}, 600_000);

test.each(Object.entries(table))("A5: %s scores as the table says", (name, [score, fails]) => {
  expect(failing(name)).toEqual([...fails].sort());
  expect(get(name).results.score).toBe(score);
  expect(leftovers(get(name))).toEqual([]);
});

test("A5: results computed without the queue are wrong, and no worker did a job", () => {
  const output = get("A5-no-queue").tests.find((t) => t.gradeId === "a5-test-basic")!.report.output;
  expect(output).toContain("the result should be the one a worker computed");
});

test("A5: sending every job before reading any result deadlocks once the queues are full", () => {
  const output = get("A5-send-all-first").tests.find((t) => t.gradeId === "a5-test-many")!.report
    .output;
  expect(output).toMatch(/ETIMEDOUT/);
});

test("A5: a dispatcher that never checks on its workers waits for the dead one's job", () => {
  const output = get("A5-ignores-dead-worker").tests.find(
    (t) => t.gradeId === "a5-test-dead-worker",
  )!.report.output;
  expect(output).toContain("jobs not done in time");
});
