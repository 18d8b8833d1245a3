// A8 (chapter 08, sockets: a line server many clients use at once) graded for
// real, in the sandbox's own loopback network. The tests' clients are other
// processes (clients.mjs) with many connections open together, requests cut
// across writes, and clients that vanish. The reference scores full marks;
// each classic mistake loses the tests that look for it. The fixture table:
// name -> expected score.
import { expect, test } from "vitest";
import { fixtureTable, testNamed } from "./helpers.ts";

const expected: Record<string, number> = {
  "A8-reference": 10,
  "A8-no-framing": 8, // each data event taken as whole lines: requests cut across writes fail
  "A8-one-at-a-time": 2, // the lecture's loop: the next connection waits until this one closes
  "A8-no-line-limit": 8, // keeps bytes without end: a line too long is answered, not refused
  "A8-close-keeps-connections": 8, // close() only stops listening: it never resolves while clients wait
  "A8-no-socket": 0, // answers computed in the notebook, nothing listens
};
const { get, output } = fixtureTable("A8-line-server", expected);

test("the reference: 200 connections from four processes, in the sandbox's own loopback", () => {
  const g = get("A8-reference");
  expect(g.results.tests.map((t) => [t.visibility, t.max_score, t.score])).toEqual([
    ["visible", 2, 2],
    ["visible", 2, 2],
    ["after_published", 2, 2],
    ["after_published", 2, 2],
    ["after_published", 2, 2],
  ]);
  expect(output("A8-reference", "a8-test-many")).toMatch(
    /200 connections from 4 processes at once: 600 answers right; close\(\) closed 5 more/,
  );
  // The assignment's own limits (metadata.ipc_lab.limits): 40 s a cell, 300 s in all.
  for (const t of g.tests) expect(t.report.seconds, t.gradeId).toBeLessThan(40);
});

test("requests cut across writes are named", () => {
  expect(output("A8-no-framing", "a8-test-split")).toMatch(
    /keep each connection's bytes until a "\\n" comes/,
  );
});

test("a server that serves one connection at a time is named", () => {
  expect(output("A8-one-at-a-time", "a8-test-concurrent")).toMatch(
    /a server that serves one connection at a time never gets to the others while they wait/,
  );
});

test("a server that buffers a line without end is named", () => {
  expect(output("A8-no-line-limit", "a8-test-split")).toMatch(
    /a request of 6005 bytes \(more than MAX_LINE = 4096\) should get "ERR line too long"/,
  );
});

test("close() that leaves connections open is named", () => {
  expect(output("A8-close-keeps-connections", "a8-test-many")).toMatch(
    /close\(\) should close the connections still open, and resolve/,
  );
});

test("a solution that does not listen on a socket fails every test, saying so", () => {
  expect(output("A8-no-socket", "a8-test-basic")).toMatch(
    /should be a listening TCP socket held by this process/,
  );
  for (const t of get("A8-no-socket").tests) expect(t.report.status, t.gradeId).not.toBe("ok");
});
