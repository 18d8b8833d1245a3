// An assignment's own limits (metadata.ipc_lab.limits in its source notebook):
// they raise the defaults for that assignment only; the environment and the
// CLI's flags still win. A3 and A8 start many client processes per test and
// ask for 40 s a cell and 300 s a submission.
import { expect, test } from "vitest";
import { assignment } from "../../grader/src/assignments.ts";
import { assignmentLimits, defaultLimits, resolveLimits } from "../../grader/src/limits.ts";
import { loadNotebook } from "../../grader/src/notebook.ts";

test("A3 and A8 ask for generous limits; the others keep the defaults", async () => {
  for (const name of ["A3-fifo-server", "A8-line-server"]) {
    const source = await loadNotebook(assignment(name).source);
    expect(assignmentLimits(source.metadata), name).toEqual({
      cellTimeout: 40,
      submissionTimeout: 300,
    });
  }
  const a7 = await loadNotebook(assignment("A7-mapped-counters").source);
  expect(assignmentLimits(a7.metadata)).toEqual({});
});

test("the assignment's limits raise the defaults; the environment and the flags win", () => {
  const base = { ...defaultLimits, cellTimeout: 40, submissionTimeout: 300 };
  expect(resolveLimits({}, {}, base)).toMatchObject({ cellTimeout: 40, submissionTimeout: 300 });
  expect(resolveLimits({}, { IPC_LAB_GRADER_CELL_TIMEOUT: "15" }, base).cellTimeout).toBe(15);
  expect(resolveLimits({ cellTimeout: 5 }, {}, base).cellTimeout).toBe(5);
  expect(resolveLimits({}, {}).cellTimeout).toBe(defaultLimits.cellTimeout);
});

test("an unknown limit or a value that is not a positive number is the author's error", () => {
  expect(() => assignmentLimits({ ipc_lab: { limits: { cellTimout: 40 } } })).toThrow(
    /limits\.cellTimout must be a known limit/,
  );
  expect(() => assignmentLimits({ ipc_lab: { limits: { cellTimeout: "40" } } })).toThrow(
    RangeError,
  );
  expect(() => assignmentLimits({ ipc_lab: { limits: { cellTimeout: 0 } } })).toThrow(RangeError);
});
