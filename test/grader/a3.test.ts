// A3 (chapter 03, FIFOs: a server that unrelated clients use at once) graded
// for real. The tests start clients as separate programs, concurrently: the
// student's own client, and the tests' client, three of which vanish. The
// reference scores full marks; each classic mistake loses the tests that
// look for it, and nothing is left behind. The fixture table: name -> score.
import { expect, test } from "vitest";
import { fixtureTable, testNamed } from "./helpers.ts";

const expected: Record<string, number> = {
  "A3-reference": 10,
  "A3-no-dummy-writer": 2, // end of file after the first client: only the tests' own server works
  "A3-big-write": 8, // all parts in one write (> PIPE_BUF): mixed up when six clients write at once
  "A3-vanish-stops-server": 8, // waits forever for a vanished client's reader
  "A3-leaves-fifo": 2, // close() does not unlink the server's FIFO
  "A3-one-process": 0, // no FIFO: a counter file and the digest computed by the client
};
const { get, output } = fixtureTable("A3-fifo-server", expected);

test("the reference: two visible and three hidden tests, all passing, well within the limits", () => {
  const g = get("A3-reference");
  expect(g.results.tests.map((t) => [t.visibility, t.max_score, t.score])).toEqual([
    ["visible", 2, 2],
    ["visible", 2, 2],
    ["after_published", 2, 2],
    ["after_published", 2, 2],
    ["after_published", 2, 2],
  ]);
  expect(output("A3-reference", "a3-test-vanish")).toMatch(
    /7 clients served beside 3 that vanished/,
  );
  expect(output("A3-reference", "a3-test-atomic")).toMatch(
    /6 clients × 200000 bytes at once: \d+ parts, each whole/,
  );
  // The assignment's own limits (metadata.ipc_lab.limits): 40 s a cell, 300 s in all.
  for (const t of g.tests) expect(t.report.seconds, t.gradeId).toBeLessThan(40);
});

test("without a writer of its own, the server stops after the first client", () => {
  expect(output("A3-no-dummy-writer", "a3-test-one")).toMatch(
    /your client 2 .*the second client, after the first has closed: a server with no writer of its own sees end of file in between/,
  );
  expect(testNamed(get("A3-no-dummy-writer"), "a3-test-atomic").report.status).toBe("ok");
});

test("parts sent in one write larger than PIPE_BUF are found mixed up", () => {
  expect(output("A3-big-write", "a3-test-atomic")).toMatch(
    /The parts on the server's FIFO are mixed up: each part must be one write of at most PIPE_BUF \(4096\) bytes/,
  );
});

test("a vanished client that stops the server is named", () => {
  expect(output("A3-vanish-stops-server", "a3-test-vanish")).toMatch(
    /a vanished client must not stop or hold up your server/,
  );
});

test("a FIFO left behind is named", () => {
  expect(output("A3-leaves-fifo", "a3-test-one")).toMatch(
    /close\(\) should remove the server's FIFO \/tmp\/a3-one-\S+\/server \(unlink\)/,
  );
});

test("a one-process fake (a file, no FIFO) fails every test, saying so", () => {
  const g = get("A3-one-process");
  expect(output("A3-one-process", "a3-test-one")).toMatch(/should be a FIFO \(mkfifo\)/);
  expect(output("A3-one-process", "a3-test-atomic")).toMatch(/never opened the server's FIFO/);
  for (const t of g.tests) expect(t.report.status, t.gradeId).not.toBe("ok");
});
