/**
 * `npm run bench -- grade`: seconds to grade one submission (sandbox, two
 * kernels: visible and hidden tests), against a baseline measured in the
 * same run: the same notebook executed top to bottom by the plain notebook
 * harness (one kernel, no sandbox). Goal: under 30 s per submission.
 */
import path from "node:path";
import { gradeSubmission } from "../grader/src/grade.ts";
import { executeNotebook } from "../shared/notebook/execute.ts";
import { root } from "../grader/src/assignments.ts";

const rounds = Number(process.argv[2] ?? 2);
const submissions = [
  ["A1-duplex-pipes", "test/grader/fixtures/A1-reference.ipynb"],
  ["A2-shared-memory", "test/grader/fixtures/A2-reference.ipynb"],
] as const;

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

console.log(`grade: ${rounds} rounds per submission (median seconds)`);
for (const [assignment, file] of submissions) {
  const full = path.join(root, file);
  const baseline: number[] = [];
  const graded: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // The baseline runs the instructor's source (solutions and hidden tests in
    // place) so that it executes the same code as grading does.
    baseline.push(
      await seconds(() =>
        executeNotebook(path.join(root, "assignments", assignment, `${assignment}.ipynb`)),
      ),
    );
    graded.push(
      await seconds(async () => {
        const result = await gradeSubmission(full, { assignment });
        if (result.results.score !== 10)
          throw new Error(`${file} scored ${result.results.score}, not 10`);
      }),
    );
  }
  const b = median(baseline);
  const g = median(graded);
  console.log(
    `${assignment.padEnd(18)} harness ${b.toFixed(1).padStart(5)} s   grade ${g.toFixed(1).padStart(5)} s   ` +
      `ratio ${(g / b).toFixed(2)}   ${g < 30 ? "under" : "OVER"} 30 s`,
  );
}
