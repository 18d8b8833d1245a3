/**
 * Grading one submission (and checking one, for students): restore the
 * instructor's cells, run the student's code and the tests in the sandbox,
 * and turn the cells' outcomes into Gradescope's results.
 */
import { resolveLimits, type Limits } from "./limits.ts";
import type { CellReport, RunReport } from "./sandbox/run.ts";
import type { TestCell } from "./steps/collect-tests.ts";
import type { Tamper } from "./steps/overwrite-cells.ts";
import { buildResults, type Results } from "./results.ts";
import { runStages, type Grading, type Stage } from "./grading/stage.ts";
import { readSubmission } from "./grading/read-submission.ts";
import { restoreCells } from "./grading/restore-cells.ts";
import { planPhases } from "./grading/plan-phases.ts";
import { runSandbox } from "./grading/run-sandbox.ts";
import { scoreCells } from "./grading/score-cells.ts";

export interface GradeOptions {
  mode?: "grade" | "check";
  assignment?: string;
  limits?: Partial<Limits>;
  /** More paths the kernel must not see (e.g. the results folder). */
  hide?: string[];
}

export interface Graded {
  results: Results;
  assignment: string;
  tests: (TestCell & { report: CellReport })[];
  prefix: (CellReport & { gradeId?: string })[];
  tampered: Tamper[];
  missing: string[];
  run: RunReport | null;
  /** Set when the submission could not be read as a notebook. */
  invalid?: string;
  /** When checking: the tests only the grader runs (they have hidden parts). */
  gradersOnly?: { title: string; points: number }[];
}

// `npm run grade` / `npm run check`, from the submitted file to the kernel's
// reports: named stages, in order (each in src/grading/).
export const gradeStages = [
  readSubmission, // first: the notebook (or why it is not one), its assignment, what the grader trusts
  restoreCells, //   the grade pipeline: instructor's cells back, tampering found, tests collected
  planPhases, //     visible phase, hidden phase in a fresh kernel, each with its probes
  runSandbox, //     the kernels, in the sandbox
  scoreCells, //     last: the reports by phase and cell, and whether each kernel was honest
] as const satisfies readonly Stage[];

export async function gradeSubmission(file: string, options: GradeOptions = {}): Promise<Graded> {
  const mode = options.mode ?? "grade";
  const g = await runStages(gradeStages, {
    file,
    mode,
    limits: resolveLimits(options.limits),
    limitOverrides: options.limits ?? {},
    hide: options.hide ?? [],
    assignmentName: options.assignment,
    started: Date.now(),
  });
  const graded = assemble(g);
  return { ...graded, results: buildResults(graded, (Date.now() - g.started) / 1000, mode) };
}

/** The stages' findings as one Graded (without the Gradescope results). */
function assemble(g: Grading): Omit<Graded, "results"> {
  const notRun = (id: string, note?: string): CellReport => ({
    id,
    status: "not-run",
    output: "",
    seconds: 0,
    ...(note === undefined ? {} : { note }),
  });
  const tests = g.tests ?? [];
  const gradersOnly = (g.gradersOnly ?? []).map((t) => ({ title: t.title, points: t.points }));
  if (g.invalid !== undefined) {
    return {
      assignment: g.assignment!.name,
      tests: tests.map((test) => ({
        ...test,
        report: notRun(test.id, "not run: the submission is not a notebook"),
      })),
      prefix: [],
      tampered: [],
      missing: [],
      run: null,
      invalid: g.invalid,
      gradersOnly,
    };
  }
  const honesty = g.honesty ?? [];
  const reportOf = (phase: "visible" | "hidden", id: string) => g.reports?.get(phase)?.get(id);
  return {
    assignment: g.assignment!.name,
    tests: tests.map((test) => {
      const report = reportOf(test.hidden ? "hidden" : "visible", test.id) ?? notRun(test.id);
      // A dishonest kernel earns nothing: its "ok" means nothing.
      return honesty.length > 0
        ? { ...test, report: { ...report, status: "error" as const, note: honesty[0] } }
        : { ...test, report };
    }),
    prefix: (g.prefix ?? []).flatMap((cell) => {
      const report = reportOf("visible", cell.id);
      return report ? [{ ...report, gradeId: cell.gradeId }] : [];
    }),
    tampered: g.tampered ?? [],
    missing: g.missing ?? [],
    run: g.run ? { ...g.run, notes: [...honesty, ...g.run.notes] } : null,
    gradersOnly,
  };
}
