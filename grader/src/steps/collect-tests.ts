/**
 * Splits the restored notebook into what the kernel runs: the prefix (every
 * code cell that is not a test, in order: the locked setup, the student's
 * code, cells the student added) and the tests (one per grade cell). When
 * grading, a test with hidden parts runs whole in the hidden phase; when
 * checking, only what the student can see runs.
 */
import type { Step } from "../pipeline.ts";
import { isGrade, nbgrader, sourceOf } from "../notebook.ts";
import { countRegions, clearHiddenTests, revealHiddenTests } from "../regions.ts";

export interface TestCell {
  id: string;
  gradeId: string;
  title: string;
  points: number;
  /** Visible tests run in the first kernel; hidden ones in a fresh second one. */
  hidden: boolean;
  /** The instructor's cell has hidden tests (when checking, only the grader can run it). */
  hasHiddenParts: boolean;
  source: string;
}

export interface CollectResources {
  mode: "grade" | "check";
  prefix?: { id: string; source: string; gradeId?: string }[];
  tests?: TestCell[];
}

/** "// Test: the child answers" on the first lines names the test. */
function titleOf(source: string, fallback: string): string {
  const match = /^\s*\/\/\s*Test:\s*(.+)$/m.exec(source);
  return match?.[1]?.trim() ?? fallback;
}

export const collectTests: Step<CollectResources> = {
  name: "collect-tests",
  cell(cell, resources, index) {
    if (cell.cell_type !== "code") return [cell, resources];
    const source = sourceOf(cell);
    const meta = nbgrader(cell);
    if (!isGrade(cell) || !meta) {
      (resources.prefix ??= []).push({ id: `cell-${index}`, source, gradeId: meta?.grade_id });
      return [cell, resources];
    }
    const hiddenParts =
      countRegions(source, "HIDDEN TESTS", meta.grade_id) > 0 ||
      cell.metadata?.ipc_lab_hidden === true;
    const hidden = resources.mode === "grade" && hiddenParts;
    (resources.tests ??= []).push({
      id: `test-${index}`,
      gradeId: meta.grade_id,
      title: titleOf(source, meta.grade_id),
      points: meta.points ?? 0,
      hidden,
      hasHiddenParts: hiddenParts,
      source: hidden ? revealHiddenTests(source) : clearHiddenTests(source, meta.grade_id),
    });
    return [cell, resources];
  },
};
