// A4's submissions, graded for real (sandboxed tslab kernels): the reference
// scores full marks; a solution that never uses signals, an empty one, and
// the classic mistake (a SignalFd never closed, so SIGRTMIN+1 stays taken)
// get their expected scores, and nothing is left behind.
import { expect, test } from "vitest";
import { fixtureTable, testNamed } from "./helpers.ts";

// The fixture table: each submission and the score it must get (of 10).
const expected: Record<string, number> = {
  "A4-reference": 10,
  "A4-empty": 0,
  "A4-no-signals": 0,
  "A4-no-close": 2, // only a4-test-send: every collect test checks the signal is given back
};
const { get, output } = fixtureTable("A4-signals", expected, 600_000);

test("A4: the reference receives from other processes and sends to the C receiver", () => {
  expect(output("A4-reference", "a4-test-collect")).toContain(
    "collected 5 messages in order from the sender",
  );
  expect(output("A4-reference", "a4-test-send")).toContain("the C receiver got 5 values in order");
  expect(output("A4-reference", "a4-test-many")).toContain("300 messages, none lost");
});

test("A4: without signals nothing arrives; the senders' signals end the kernel (their default action)", () => {
  // The sender's SIGRTMIN+1 reaches a kernel that never registered for it:
  // its default action ends the kernel, in whichever cell runs then.
  // (Which cell the kernel dies in depends on timing: look at all of them.)
  // A cell the kernel died in has no output of its own: its note says so.
  const said = ["a4-test-collect", "a4-test-send", "a4-test-many", "a4-test-edges"]
    .map((id) => testNamed(get("A4-no-signals"), id).report)
    .map((report) => `${report.output}\n${report.note ?? ""}`)
    .join("\n");
  expect(said).toMatch(
    /the kernel died while running this cell|collect should return the values the sender sent/,
  );
  const failed = get("A4-no-signals").tests.filter((t) => t.report.status !== "ok");
  expect(failed.map((t) => t.gradeId).sort()).toEqual([
    "a4-test-collect",
    "a4-test-edges",
    "a4-test-many",
    "a4-test-send",
  ]);
});

test("A4: a SignalFd never closed is named", () => {
  expect(output("A4-no-close", "a4-test-collect")).toContain(
    "SIGRTMIN+1 should have its default action again",
  );
});
