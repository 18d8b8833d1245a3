/** The terminal's view of a grading: one line per test, then what went wrong. */
import type { Graded } from "./grade.ts";
import { tidy } from "./results.ts";

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);

export function summary(graded: Graded, file: string): string {
  const r = graded.results;
  const max = r.tests.reduce((sum, t) => sum + t.max_score, 0);
  const lines = [`${paint(1, graded.assignment)}  ${file}`];
  for (const test of graded.tests) {
    const ok = test.report.status === "ok";
    const mark = ok ? paint(32, "✓") : paint(31, "✗");
    const score = `${ok ? test.points : 0}/${test.points}`.padStart(5);
    lines.push(`  ${mark} ${score}  ${test.title}${test.hidden ? paint(2, "  [hidden]") : ""}`);
    if (!ok) {
      const why = tidy([test.report.note, test.report.output].filter(Boolean).join("\n"), 600);
      lines.push(...why.split("\n").map((line) => `          ${paint(2, line)}`));
    }
  }
  for (const extra of r.tests.filter((t) => t.max_score === 0 && t.status === "failed")) {
    lines.push(`  ${paint(33, "!")} ${extra.name}`);
    lines.push(
      ...tidy(extra.output, 800)
        .split("\n")
        .map((line) => `          ${line}`),
    );
  }
  for (const test of graded.gradersOnly ?? []) {
    lines.push(
      `  ${paint(2, "·")} ${`?/${test.points}`.padStart(5)}  ${test.title}${paint(2, "  [run by the grader only]")}`,
    );
  }
  const checking = graded.gradersOnly !== undefined && graded.gradersOnly.length > 0;
  lines.push(
    `  ${paint(1, `${r.score} / ${max} points`)}${checking ? " (visible tests only)" : ""}  in ${r.execution_time} s`,
  );
  for (const note of graded.run?.notes ?? []) lines.push(`  note: ${note}`);
  if (graded.run && graded.run.removed.length > 0)
    lines.push(`  removed after grading: ${graded.run.removed.join(", ")}`);
  return lines.join("\n");
}
