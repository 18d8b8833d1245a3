// A9 (chapter 09, remote procedure calls) graded for real: the reference
// scores full marks; a server and client that speak JSON over TCP instead of
// ONC RPC get nothing (the C client built by rpcgen cannot call them); a
// client that adds the numbers itself, one that gives up when a server fails
// and one with no time-outs lose the distributedSum tests; each leaves
// nothing behind. The fixture table: name -> expected score.
import { expect, test } from "vitest";
import { fixtureTable, testNamed } from "./helpers.ts";

const expected: Record<string, number> = {
  "A9-reference": 12,
  "A9-json-over-tcp": 0,
  "A9-local-sum": 7,
  "A9-no-failover": 9,
  "A9-no-timeout": 9,
};
const { get } = fixtureTable("A9-rpc-service", expected, 600_000);

test("the reference: visible and hidden tests, the C client and the stubs both call it", () => {
  const g = get("A9-reference");
  expect(g.results.tests.map((t) => [t.visibility, t.max_score])).toEqual([
    ["visible", 3],
    ["visible", 2],
    ["after_published", 2],
    ["visible", 2],
    ["after_published", 3],
  ]);
  expect(testNamed(g, "a9-test-c-client").report.output).toContain("the C client: OK");
  expect(testNamed(g, "a9-test-failures").report.output).toContain("partial failures: OK");
});

test("a server that does not speak ONC RPC fails the C client's test", () => {
  const g = get("A9-json-over-tcp");
  for (const id of ["a9-test-c-client", "a9-test-stubs", "a9-test-malformed", "a9-test-split"]) {
    expect(testNamed(g, id).report.output, id).not.toMatch(/: OK$/m);
  }
});

test("a client that computes the sum itself is named", () => {
  expect(testNamed(get("A9-local-sum"), "a9-test-split").report.output).toMatch(
    /the servers should receive all 25000 numbers; they received 0: the sum must be computed by the servers/,
  );
});

test("a client with no fail-over, or no time-out, fails only the partial-failure test", () => {
  for (const name of ["A9-no-failover", "A9-no-timeout"]) {
    const g = get(name);
    expect(testNamed(g, "a9-test-split").report.output, name).toContain("OK");
    expect(testNamed(g, "a9-test-failures").report.output, name).not.toContain(
      "partial failures: OK",
    );
  }
});
