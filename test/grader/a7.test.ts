// A7 (chapter 07, memory-mapped files) graded for real: the reference scores
// full marks; a solution that does not map the file, one that maps it
// MAP_PRIVATE, and one that never unmaps each lose what the tests look for,
// and leave nothing behind. The fixture table: name -> expected score.
import { expect, test } from "vitest";
import { fixtureTable, testNamed } from "./helpers.ts";

const expected: Record<string, number> = {
  "A7-reference": 10,
  "A7-no-mmap": 0,
  "A7-private": 0,
  "A7-leak": 0,
};
const { get } = fixtureTable("A7-mapped-counters", expected);

test("the reference: visible and hidden tests, a peer process sees the adds", () => {
  const r = get("A7-reference").results;
  expect(r.tests.map((t) => [t.visibility, t.max_score])).toEqual([
    ["visible", 3],
    ["visible", 3],
    ["after_published", 2],
    ["after_published", 2],
  ]);
  expect(testNamed(get("A7-reference"), "a7-test-layout").report.output).toContain(
    "counter 3 = 6 seen by a peer",
  );
});

test("a solution that does not map the file fails every test, saying so", () => {
  const g = get("A7-no-mmap");
  for (const id of ["a7-test-layout", "a7-test-peer", "a7-test-edges", "a7-test-cycles"]) {
    expect(testNamed(g, id).report.output, id).toMatch(
      /should be mapped MAP_SHARED read-write \(rw-s in \/proc\/self\/maps\); found: no mapping/,
    );
  }
});

test("MAP_PRIVATE (copy-on-write) is named: the mapping is rw-p", () => {
  expect(testNamed(get("A7-private"), "a7-test-layout").report.output).toMatch(/found: rw-p/);
});

test("a mapping never unmapped is named", () => {
  expect(testNamed(get("A7-leak"), "a7-test-layout").report.output).toContain(
    "after close() nothing of the file should stay mapped or open",
  );
});
