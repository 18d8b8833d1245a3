// The grader's steps, one by one, on the real assignment notebooks (no kernel).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { runPipeline } from "../../grader/src/pipeline.ts";
import { gradeSteps, type GradeResources } from "../../grader/src/pipelines.ts";
import { release } from "../../grader/src/assign.ts";
import { assignment, assignmentNames } from "../../grader/src/assignments.ts";
import { checksum } from "../../grader/src/checksum.ts";
import { clearHiddenTests, clearSolutions } from "../../grader/src/regions.ts";
import { resolveLimits } from "../../grader/src/limits.ts";
import { tidy } from "../../grader/src/results.ts";
import {
  nbgrader,
  parseNotebook,
  sourceOf,
  withSource,
  type Cell,
  type Notebook,
} from "../../grader/src/notebook.ts";
import { checkMetadata } from "../../grader/src/steps/check-metadata.ts";
import { clearSolutions as clearSolutionsStep } from "../../grader/src/steps/clear-solutions.ts";
import { clearHiddenTests as clearHiddenStep } from "../../grader/src/steps/clear-hidden-tests.ts";
import { lockCells } from "../../grader/src/steps/lock-cells.ts";
import { computeChecksums } from "../../grader/src/steps/compute-checksums.ts";

const load = (file: string): Notebook => parseNotebook(readFileSync(file, "utf8"), file);
const a1 = assignment("A1-duplex-pipes");
const source = load(a1.source);
const byId = (nb: Notebook, id: string): Cell =>
  nb.cells.find((c) => nbgrader(c)?.grade_id === id)!;
const student = release(source, a1.name, a1.source);

function grade(submission: Notebook, mode: "grade" | "check" = "grade") {
  return runPipeline<GradeResources>(gradeSteps, submission, {
    authority: mode === "grade" ? source : student.notebook,
    checksums: student.checksums,
    mode,
  });
}

describe("assign", () => {
  test("the committed release of every assignment is what assign writes", () => {
    for (const name of assignmentNames()) {
      const a = assignment(name);
      const fresh = release(load(a.source), name, a.source).notebook;
      expect(load(a.release), `${a.release} is stale: run npm run assign`).toEqual(
        JSON.parse(JSON.stringify(fresh)),
      );
    }
  });

  test("clear-solutions replaces each solution region by a stub that throws", () => {
    const [nb] = runPipeline(
      [clearSolutionsStep],
      { ...source, cells: [byId(source, "a1-solution")] },
      { file: "A1" },
    );
    const text = sourceOf(nb.cells[0]!);
    expect(text).not.toContain("BEGIN SOLUTION");
    expect(text).not.toContain("spawnWithFds(");
    expect(text).toContain('throw new Error("not implemented yet");');
    expect(text).toContain(
      "async function askChild(request: string, program: string = CHILD_PROGRAM)",
    );
  });

  test("clear-hidden-tests removes hidden tests and marks the cell", () => {
    const [nb] = runPipeline(
      [clearHiddenStep],
      { ...source, cells: [byId(source, "a1-test-large")] },
      { file: "A1" },
    );
    expect(sourceOf(nb.cells[0]!)).not.toMatch(/HIDDEN|a1-hidden-|sixteen pipe-fulls/);
    expect(nb.cells[0]!.metadata?.ipc_lab_hidden).toBe(true);
  });

  test("the student version holds no solution and no hidden test of any assignment", () => {
    for (const name of assignmentNames()) {
      const text = readFileSync(assignment(name).release, "utf8");
      expect(text).not.toMatch(/BEGIN SOLUTION|BEGIN HIDDEN TESTS|-hidden-[0-9a-f]{4}/);
    }
  });

  test("lock-cells makes locked and test cells read-only in JupyterLab, not solution cells", () => {
    const cells = [
      byId(source, "a1-setup"),
      byId(source, "a1-test-short"),
      byId(source, "a1-solution"),
    ];
    const [nb] = runPipeline([lockCells], { ...source, cells }, {});
    expect(nb.cells.map((c) => c.metadata?.editable)).toEqual([false, false, undefined]);
  });

  test("compute-checksums records a checksum per locked and test cell", () => {
    const [nb, res] = runPipeline(
      [computeChecksums],
      source,
      {} as { checksums?: Record<string, string> },
    );
    expect(Object.keys(res.checksums!).sort()).toEqual(
      source.cells
        .filter((c) => nbgrader(c) && !nbgrader(c)!.solution)
        .map((c) => nbgrader(c)!.grade_id)
        .sort(),
    );
    expect(nbgrader(byId(nb, "a1-setup"))!.checksum).toBe(checksum(byId(source, "a1-setup")));
  });

  test("check-metadata refuses a grade cell without points, naming the cell", () => {
    const broken = structuredClone(byId(source, "a1-test-short"));
    delete nbgrader(broken)!.points;
    expect(() =>
      runPipeline([checkMetadata], { ...source, cells: [broken] }, { file: "A1.ipynb" }),
    ).toThrow(/A1.ipynb, cell 1 \(a1-test-short\): a grade cell needs points/);
  });

  test("check-metadata refuses a duplicate grade_id and a solution cell without markers", () => {
    const setup = byId(source, "a1-setup");
    expect(() =>
      runPipeline([checkMetadata], { ...source, cells: [setup, setup] }, { file: "x" }),
    ).toThrow(/grade_id "a1-setup" is used twice/);
    const bare = withSource(byId(source, "a1-solution"), "function askChild() {}");
    expect(() => runPipeline([checkMetadata], { ...source, cells: [bare] }, { file: "x" })).toThrow(
      /solution cell without "\/\/ BEGIN SOLUTION"/,
    );
  });

  test("an unended solution region is an error naming the line", () => {
    expect(() => clearSolutions("a\n  // BEGIN SOLUTION\nb", "cell 3")).toThrow(
      'cell 3: "BEGIN SOLUTION" on line 2 is never ended',
    );
    expect(clearHiddenTests("x\n// BEGIN HIDDEN TESTS\ny\n// END HIDDEN TESTS\nz", "c")).toBe(
      "x\nz",
    );
  });
});

describe("grade steps", () => {
  test("overwrite-cells restores an edited test cell and reports it", () => {
    const submission = structuredClone(student.notebook);
    const index = submission.cells.findIndex((c) => nbgrader(c)?.grade_id === "a1-test-child");
    submission.cells[index] = withSource(submission.cells[index]!, "console.log('all good')");
    const [nb, res] = grade(submission);
    expect(res.tampered).toEqual([{ gradeId: "a1-test-child", what: "edited" }]);
    expect(sourceOf(byId(nb, "a1-test-child"))).toBe(sourceOf(byId(source, "a1-test-child")));
  });

  test("overwrite-cells puts back a deleted test cell at its place", () => {
    const submission = structuredClone(student.notebook);
    submission.cells = submission.cells.filter((c) => nbgrader(c)?.grade_id !== "a1-test-short");
    const [nb, res] = grade(submission);
    expect(res.tampered).toEqual([{ gradeId: "a1-test-short", what: "deleted" }]);
    const ids = nb.cells.map((c) => nbgrader(c)?.grade_id);
    expect(ids.indexOf("a1-test-short")).toBe(ids.indexOf("a1-test-child") + 1);
  });

  test("overwrite-cells keeps the student's code under the instructor's metadata", () => {
    const submission = structuredClone(student.notebook);
    const cell = byId(submission, "a1-solution");
    cell.source = "// mine";
    Object.assign(nbgrader(cell)!, { grade: true, points: 100 });
    const [nb] = grade(submission);
    expect(sourceOf(byId(nb, "a1-solution"))).toBe("// mine");
    expect(nbgrader(byId(nb, "a1-solution"))).toEqual(nbgrader(byId(source, "a1-solution")));
  });

  test("overwrite-cells strips a grade_id the assignment does not have", () => {
    const submission = structuredClone(student.notebook);
    const fake = withSource(byId(submission, "a1-test-short"), "// fake test");
    nbgrader(fake)!.grade_id = "bonus";
    submission.cells.push(fake);
    const [nb, res] = grade(submission);
    expect(res.tampered).toContainEqual({ gradeId: "bonus", what: "invented" });
    expect(res.tests!.map((t) => t.gradeId)).not.toContain("bonus");
    expect(nb.cells.at(-1)!.metadata?.nbgrader).toBeUndefined();
  });

  test("a deleted solution cell is graded as the empty stub", () => {
    const submission = structuredClone(student.notebook);
    submission.cells = submission.cells.filter((c) => nbgrader(c)?.grade_id !== "a1-solution");
    const [, res] = grade(submission);
    expect(res.missing).toEqual(["a1-solution"]);
    expect(res.prefix!.map((p) => p.source).join("\n")).toContain("not implemented yet");
    expect(res.prefix!.map((p) => p.source).join("\n")).not.toContain("readAll(toParentRead");
  });

  test("collect-tests: grading runs hidden tests whole; checking never sees them", () => {
    const [, graded] = grade(structuredClone(student.notebook), "grade");
    const large = graded.tests!.find((t) => t.gradeId === "a1-test-large")!;
    expect(large).toMatchObject({ hidden: true, points: 2 });
    expect(large.source).toContain("sixteen pipe-fulls");
    expect(large.source).not.toContain("HIDDEN TESTS");
    const [, checked] = grade(structuredClone(student.notebook), "check");
    expect(checked.tests!.every((t) => !t.hidden && !t.source.includes("a1-hidden-"))).toBe(true);
    expect(graded.prefix!.map((p) => p.gradeId)).toEqual(["a1-setup", "a1-child", "a1-solution"]);
    expect(graded.tests!.map((t) => t.title)[0]).toBe(
      "your child program, started by the test over two pipes of its own, answers in capitals",
    );
  });
});

describe("limits and feedback", () => {
  test("limits come from defaults, the environment, then the command line", () => {
    expect(resolveLimits({}, {}).cellTimeout).toBe(10);
    expect(resolveLimits({}, { IPC_LAB_GRADER_CELL_TIMEOUT: "4" }).cellTimeout).toBe(4);
    expect(
      resolveLimits({ cellTimeout: 3 }, { IPC_LAB_GRADER_CELL_TIMEOUT: "4" }).cellTimeout,
    ).toBe(3);
    expect(() => resolveLimits({}, { IPC_LAB_GRADER_MAX_TASKS: "-1" })).toThrow(
      "maxTasks must be a positive number, got -1",
    );
  });

  test("tidy drops the kernel's own stack frames and node:assert's object dump", () => {
    const raw = [
      "AssertionError [ERR_ASSERTION]: the reply should be in capitals",
      "    at evalmachine.<anonymous>:4:10",
      "    at Object.execute (/x/node_modules/tslab/dist/executor.js:160:38)",
      "  generatedMessage: false,",
      "  code: 'ERR_ASSERTION',",
      "}",
    ].join("\n");
    expect(tidy(raw)).toBe("AssertionError [ERR_ASSERTION]: the reply should be in capitals");
  });

  test("parseNotebook names a file that is not a notebook", () => {
    expect(() => parseNotebook("{", path.join("x", "a.ipynb"))).toThrow(
      /x\/a.ipynb is not a notebook: invalid JSON/,
    );
    expect(() => parseNotebook('{"cells": 1}', "b.ipynb")).toThrow(
      "b.ipynb is not an nbformat 4 notebook",
    );
  });
});
