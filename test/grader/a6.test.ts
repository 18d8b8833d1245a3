// A6 (the bounded buffer with semaphores) graded for real: the reference
// scores full marks; a solution without semaphores, or one that keeps the
// items in the notebook process, scores 0; the classic wrong order of the
// producer's waits (mutex before empty) deadlocks and loses the producer's
// tests. The hidden tests run C producers and consumers in other processes.
import { expect, test } from "vitest";
import { fixtureTable } from "./helpers.ts";

/** The fixture table: each submission and the score it must get. */
const expected: Record<string, number> = {
  "A6-reference": 10,
  "A6-wrong-order": 3,
  "A6-no-semaphores": 0,
  "A6-single-process": 0,
};

const { get, output: byId } = fixtureTable("A6-bounded-buffer", expected, 900_000);

test("A6: the reference's items reach a C consumer in another process, in order", () => {
  expect(byId("A6-reference", "a6-test-layout")).toContain(
    "a C consumer took your 100 items in order",
  );
});

test("A6: mutex before empty deadlocks once the buffer is full", () => {
  expect(byId("A6-wrong-order", "a6-test-layout")).toContain(
    "produce should put all 100 items while a consumer takes them",
  );
});

test("A6: without semaphores the C producer never gets a free slot back, and gives up", () => {
  expect(byId("A6-no-semaphores", "a6-test-consume")).toContain(
    "the C producer should finish (it said: gave up",
  );
});
