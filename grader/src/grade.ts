/**
 * Grading one submission (and checking one, for students): restore the
 * instructor's cells, run the student's code and the tests in the sandbox,
 * and turn the cells' outcomes into Gradescope's results.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { runPipeline } from "./pipeline.ts";
import { gradeSteps, type GradeResources } from "./pipelines.ts";
import { release } from "./assign.ts";
import {
  identify,
  assignment as named,
  root,
  supportFiles,
  type Assignment,
} from "./assignments.ts";
import { loadNotebook, NotebookError, nbgrader, type Notebook } from "./notebook.ts";
import { checksum } from "./checksum.ts";
import { resolveLimits, type Limits } from "./limits.ts";
import {
  hiddenPaths,
  runInSandbox,
  type CellReport,
  type Phase,
  type RunReport,
} from "./sandbox/run.ts";
import type { TestCell } from "./steps/collect-tests.ts";
import type { Tamper } from "./steps/overwrite-cells.ts";
import { buildResults, type Results } from "./results.ts";

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

/** Two cells that check the kernel still reports honestly (see probes()). */
function probes(): {
  cells: { id: string; source: string }[];
  verify(cells: Map<string, CellReport>): string | null;
} {
  const failMark = randomBytes(6).toString("hex");
  const okMark = randomBytes(6).toString("hex");
  return {
    cells: [
      {
        id: "probe-fail",
        source: `throw new Error("probe " + ${JSON.stringify(failMark)}.toUpperCase());`,
      },
      { id: "probe-ok", source: `console.log([..."${okMark}"].reverse().join(""));` },
    ],
    verify(cells) {
      const fail = cells.get("probe-fail");
      const ok = cells.get("probe-ok");
      const reversed = [...okMark].reverse().join("");
      if (!fail || !ok || fail.status === "not-run" || ok.status === "not-run") return null;
      if (fail.status !== "error" || !fail.output.includes(failMark.toUpperCase())) {
        return "a cell that must fail was reported as passing: the submission changed how the kernel reports results";
      }
      if (ok.status !== "ok" || !ok.output.includes(reversed)) {
        return "a cell that must pass did not print what it computed: the submission changed the kernel's output";
      }
      return null;
    },
  };
}

async function authority(a: Assignment, mode: "grade" | "check") {
  // Grading trusts only the instructor's source (checksums recomputed from
  // it); checking, on a student's machine, has the released copy.
  if (mode === "grade") {
    const source = await loadNotebook(a.source);
    const { checksums } = release(source, a.name, a.source);
    return {
      notebook: source,
      checksums,
      support: supportFiles(source).map((f) => path.join(path.dirname(a.source), f)),
    };
  }
  const released = await loadNotebook(a.release);
  const checksums: Record<string, string> = {};
  for (const cell of released.cells) {
    const meta = nbgrader(cell);
    if (meta?.checksum) checksums[meta.grade_id] = checksum(cell);
  }
  return {
    notebook: released,
    checksums,
    support: supportFiles(released).map((f) => path.join(path.dirname(a.release), f)),
  };
}

export async function gradeSubmission(file: string, options: GradeOptions = {}): Promise<Graded> {
  const mode = options.mode ?? "grade";
  const limits = resolveLimits(options.limits);
  const started = Date.now();
  let submission: Notebook;
  try {
    submission = await loadNotebook(file);
  } catch (error) {
    if (!(error instanceof NotebookError)) throw error;
    if (!options.assignment) throw error;
    // Still graded (zero, with the reason): the grader worked.
    const a = named(options.assignment);
    const auth = await authority(a, mode);
    const [, res] = runPipeline<GradeResources>(
      gradeSteps,
      { ...auth.notebook, cells: [] },
      {
        authority: auth.notebook,
        checksums: auth.checksums,
        mode,
      },
    );
    const tests = (res.tests ?? []).map((test) => ({
      ...test,
      report: {
        id: test.id,
        status: "not-run" as const,
        output: "",
        seconds: 0,
        note: "not run: the submission is not a notebook",
      },
    }));
    const graded = {
      assignment: a.name,
      tests,
      prefix: [],
      tampered: [],
      missing: [],
      run: null,
      invalid: error.message,
    };
    return { ...graded, results: buildResults(graded, (Date.now() - started) / 1000, mode) };
  }
  const a = options.assignment
    ? named(options.assignment)
    : await identify(submission, mode === "check");
  const auth = await authority(a, mode);
  const [, res] = runPipeline<GradeResources>(gradeSteps, submission, {
    authority: auth.notebook,
    checksums: auth.checksums,
    mode,
  });
  const prefix = res.prefix ?? [];
  // Checking runs what the student can see: a test with hidden parts is the grader's.
  const tests = (res.tests ?? []).filter((t) => mode === "grade" || !t.hasHiddenParts);
  const gradersOnly = (res.tests ?? []).filter((t) => !tests.includes(t));
  const visibleProbes = probes();
  const hiddenProbes = probes();
  const phases: Phase[] = [
    { name: "visible", prefix, tests: [...tests.filter((t) => !t.hidden), ...visibleProbes.cells] },
  ];
  if (tests.some((t) => t.hidden)) {
    // A fresh kernel: the student's code runs again, and the hidden tests
    // are sent only once it has finished (see kernel-runner.py).
    phases.push({
      name: "hidden",
      prefix,
      tests: [...tests.filter((t) => t.hidden), ...hiddenProbes.cells],
    });
  }
  const run = await runInSandbox(phases, {
    root,
    limits,
    support: auth.support,
    hide: hiddenPaths(root, options.hide),
  });
  const reports = new Map<string, CellReport>();
  for (const phase of run.phases)
    for (const cell of phase.cells) reports.set(`${phase.name}/${cell.id}`, cell);
  const byPhase = (name: string) =>
    new Map(
      [...reports]
        .filter(([key]) => key.startsWith(`${name}/`))
        .map(([key, value]) => [key.slice(name.length + 1), value]),
    );
  const honesty = [
    visibleProbes.verify(byPhase("visible")),
    hiddenProbes.verify(byPhase("hidden")),
  ].filter((problem): problem is string => problem !== null);
  const graded = {
    assignment: a.name,
    tests: tests.map((test) => {
      const report = reports.get(`${test.hidden ? "hidden" : "visible"}/${test.id}`) ?? {
        id: test.id,
        status: "not-run" as const,
        output: "",
        seconds: 0,
      };
      // A dishonest kernel earns nothing: its "ok" means nothing.
      return honesty.length > 0
        ? { ...test, report: { ...report, status: "error" as const, note: honesty[0] } }
        : { ...test, report };
    }),
    prefix: prefix.flatMap((cell) => {
      const report = reports.get(`visible/${cell.id}`);
      return report ? [{ ...report, gradeId: cell.gradeId }] : [];
    }),
    tampered: res.tampered ?? [],
    missing: res.missing ?? [],
    run: { ...run, notes: [...honesty, ...run.notes] },
    gradersOnly: gradersOnly.map((t) => ({ title: t.title, points: t.points })),
  };
  return { ...graded, results: buildResults(graded, (Date.now() - started) / 1000, mode) };
}
