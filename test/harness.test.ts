// The notebook harness itself: a failing cell, a type error, stale outputs
// and a hanging cell each make it fail with a message naming the notebook,
// the cell and the problem; expected exceptions, volatile values and ignored
// outputs do not.
import path from "node:path";
import { describe, expect, test } from "vitest";
import { executeNotebook, readNotebook } from "../shared/notebook/execute.ts";
import { leakProblems, notebookProblems, runAllProblems } from "../shared/notebook/check.ts";
import { mask } from "../shared/notebook/mask.ts";

const fixture = (name: string) => path.join(import.meta.dirname, "fixtures", "notebooks", name);

async function problemsOf(name: string, cellTimeout?: number): Promise<string[]> {
  const file = fixture(name);
  const stored = await readNotebook(file);
  const { notebook, failures } = await executeNotebook(file, { cellTimeout });
  return notebookProblems(file, stored, notebook, failures).map((problem) => problem.message);
}

describe("mask", () => {
  test("masks pids, times, durations, temporary paths and inodes", () => {
    expect(mask("child pid=4242 at 2026-11-21T03:38:51.123Z took 12.5 ms in /tmp/abc123")).toBe(
      "child pid=<PID> at <TIME> took <DURATION> in /tmp/<TMP>",
    );
    expect(mask("/proc/77/fd/3 -> pipe:[123456]")).toBe("/proc/<PID>/fd/3 -> pipe:[<INODE>]");
  });

  test("masks measured factors and percentages (chapter 10's tables)", () => {
    expect(mask("<td>3.1×</td><td>12×</td><td>93 %</td><td>100%</td>")).toBe(
      "<td><N>×</td><td><N>×</td><td><N> %</td><td><N> %</td>",
    );
    expect(mask("<td>4.21 µs</td><td>1365 MB/s at 1 MiB</td>")).toBe(
      "<td><DURATION></td><td><RATE> at 1 MiB</td>",
    );
  });

  test("leaves stable values alone", () => {
    expect(mask("value = 20; fd 3; size 4096")).toBe("value = 20; fd 3; size 4096");
  });
});

describe("stored outputs a student must not see", () => {
  test("stack frames, node_modules and lib/dist paths, and absolute paths are reported by cell", async () => {
    const file = fixture("leaky.ipynb");
    const problems = leakProblems(file, await readNotebook(file)).map((p) => p.message);
    expect(problems).toEqual([
      'leaky.ipynb cell 1 (console.log(new Error().stack)): an output shows a stack frame: "at whenReady (/home/student/ipc-lab/lib/dist/poll.js:154:45)"',
      'leaky.ipynb cell 1 (console.log(new Error().stack)): an output shows a path into node_modules: "node_modules/"',
      'leaky.ipynb cell 1 (console.log(new Error().stack)): an output shows a path into the library\'s build: "lib/dist/poll.js"',
      'leaky.ipynb cell 1 (console.log(new Error().stack)): an output shows an absolute path of this machine: "(/home/student/ipc-lab/lib/dist/poll.js:154:45)"',
      'leaky.ipynb cell 2 (console.log("ok")): an output shows an absolute path of this machine: "/home/student/ipc-lab/notebooks"',
    ]);
  });

  test("the error that matters, system paths and the fixture that passes are fine", async () => {
    const file = fixture("passing.ipynb");
    expect(leakProblems(file, await readNotebook(file))).toEqual([]);
  });

  test("a cell tagged raises-exception is reported: it would stop Run All", async () => {
    const file = fixture("leaky.ipynb");
    expect(runAllProblems(file, await readNotebook(file)).map((p) => p.message)).toEqual([
      'leaky.ipynb cell 2 (console.log("ok")): tagged raises-exception, but Run All stops at a failing cell; catch the error and print it',
    ]);
  });
});

// Each starts a real kernel (2-3 s, longer on a loaded machine, and a start
// that hangs is retried): the default 30 s is not a fair limit for that.
describe("executing fixture notebooks", { timeout: 180_000 }, () => {
  test("a cell that throws fails the run, naming notebook, cell and error", async () => {
    const problems = await problemsOf("failing.ipynb");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^failing\.ipynb cell 3 \(const n: number = 1;\): error\n/);
    expect(problems[0]).toContain("Error: deliberate failure in cell 3");
  });

  test("a type error fails the run with tslab's diagnostic", async () => {
    const problems = await problemsOf("type-error.ipynb");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^type-error\.ipynb cell 2 .*: error\n/);
    expect(problems[0]).toContain("Type 'number' is not assignable to type 'string'");
  });

  test("a stored output that differs fails the run, showing both lines", async () => {
    const problems = await problemsOf("stale.ipynb");
    expect(problems).toEqual([
      'stale.ipynb cell 2 (console.log("first line");): output differs at line 2\n' +
        '  stored: "[stdout] value = 4"\n' +
        '  fresh:  "[stdout] value = 5"',
    ]);
  });

  test("a cell that never finishes is interrupted and reported as a time-out", async () => {
    const problems = await problemsOf("hang.ipynb", 3);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^hang\.ipynb cell 2 \(await new Promise\(\(\) => \{\}\);\): timeout/,
    );
  });

  test("expected exceptions, masked values and ignored outputs pass", async () => {
    expect(await problemsOf("passing.ipynb")).toEqual([]);
  });
});
