/**
 * Gradescope's results.json (autograder specification): one test per grade
 * cell, plus zero-point entries that explain what the score cannot (the
 * student's own cells failing, tampered cells).
 */
import type { Graded } from "./grade.ts";

export interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: "passed" | "failed";
  output: string;
  /** Visible tests: "visible"; hidden ones: "after_published" (see README). */
  visibility: "visible" | "after_published" | "hidden";
  tags: string[];
}

export interface Results {
  score: number;
  execution_time: number;
  output: string;
  visibility: "visible";
  /** run_autograder's own stdout is the grader's log: not for students. */
  stdout_visibility: "hidden";
  tests: GradescopeTest[];
  extra_data: Record<string, unknown>;
}

const noise =
  /node_modules\/tslab\/|\(node:|at node:|node:internal|evalmachine\.<anonymous>:\d+:\d+\)?$|^\s+at (sigintHandlersWrap|Script\.runInThisContext|Object\.runInThisContext)/;

/** A cell's output without the kernel's own stack frames, cut to a readable size. */
export function tidy(output: string, limit = 4000): string {
  const lines = output
    .split("\n")
    .filter((line) => !(line.trimStart().startsWith("at ") && noise.test(line)))
    // node:assert's error object, printed after its message: the message says it all.
    .filter((line) => !/^\s+(generatedMessage|actual|expected|operator): /.test(line))
    .filter(
      (line) =>
        !/^\s*(code: 'ERR_ASSERTION',?|}|\^|node:assert:\d+|throw new AssertionError\(obj\);)\s*$/.test(
          line,
        ),
    );
  const text = lines.join("\n").trim();
  return text.length > limit ? `${text.slice(0, limit)}\n[… cut]` : text;
}

function explain(status: string, note: string | undefined, output: string): string {
  const parts = [];
  if (note) parts.push(note);
  else if (status === "ok") parts.push("passed");
  else if (status === "error") parts.push("failed:");
  const body = tidy(output);
  if (body) parts.push(body);
  return parts.join("\n");
}

export function buildResults(
  graded: Omit<Graded, "results">,
  seconds: number,
  mode: "grade" | "check",
): Results {
  const tests: GradescopeTest[] = graded.tests.map((test, index) => {
    const passed = test.report.status === "ok";
    return {
      name: `${test.title} (${test.gradeId})`,
      number: String(index + 1),
      score: passed ? test.points : 0,
      max_score: test.points,
      status: passed ? "passed" : "failed",
      output: explain(test.report.status, test.report.note, test.report.output),
      visibility: test.hidden ? "after_published" : "visible",
      tags: [test.hidden ? "hidden" : "visible"],
    };
  });
  const failedCells = graded.prefix.filter((cell) => cell.status !== "ok");
  if (graded.invalid || failedCells.length > 0 || graded.missing.length > 0) {
    const lines = [
      ...(graded.invalid ? [`Your file could not be graded: ${graded.invalid}`] : []),
      ...graded.missing.map((id) => `Your notebook has no cell "${id}": it was graded as empty.`),
      ...failedCells.map(
        (cell) =>
          `Your cell ${cell.gradeId ?? `#${Number(cell.id.replace("cell-", "")) + 1}`} failed (${cell.note ?? cell.status}):\n${tidy(cell.output, 2000)}`,
      ),
    ];
    tests.push({
      name: "Your code runs",
      number: String(tests.length + 1),
      score: 0,
      max_score: 0,
      status: "failed",
      output: lines.join("\n\n") + "\nThe tests below that use this code fail too.",
      visibility: "visible",
      tags: ["submission"],
    });
  }
  if (graded.tampered.length > 0) {
    tests.push({
      name: "Locked cells unchanged",
      number: String(tests.length + 1),
      score: 0,
      max_score: 0,
      status: "failed",
      output:
        graded.tampered.map((t) => `cell ${t.gradeId}: ${t.what}`).join("\n") +
        "\nThe instructor's version of these cells was graded; your changes were not used.",
      visibility: "visible",
      tags: ["integrity"],
    });
  }
  const score = tests.reduce((sum, test) => sum + test.score, 0);
  const max = tests.reduce((sum, test) => sum + test.max_score, 0);
  const run = graded.run;
  const output = [
    `${graded.assignment}: ${score} / ${max} points${mode === "check" ? " (visible tests only)" : ""}`,
    ...(graded.tampered.length > 0
      ? [`Tampering detected: ${graded.tampered.map((t) => `${t.gradeId} ${t.what}`).join(", ")}`]
      : []),
    ...(run?.notes ?? []).map((note) => `Note: ${note}`),
  ].join("\n");
  return {
    score,
    execution_time: Math.round(seconds * 10) / 10,
    output,
    visibility: "visible",
    stdout_visibility: "hidden",
    tests,
    extra_data: {
      assignment: graded.assignment,
      max_score: max,
      tampered: graded.tampered,
      sandbox: run?.sandbox ?? null,
      kernels: run?.kernels ?? 0,
      removed_after_grading: run?.removed ?? [],
    },
  };
}
