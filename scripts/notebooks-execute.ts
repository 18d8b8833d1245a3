// `npm run notebooks:execute [-- notebooks/NN-x.ipynb ...]`: re-executes the
// chapters in a fresh kernel and stores the fresh outputs in place, so the
// site and readers always see real outputs. A notebook with a failing cell
// is left untouched and the run exits 1.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { chapterFiles, executeNotebook } from "../shared/notebook/execute.ts";
import { failureProblems } from "../shared/notebook/check.ts";
import type { Notebook } from "../shared/notebook/format.ts";

/** Jupyter's own layout: one-space indent, trailing newline. */
export function serialize(notebook: Notebook): string {
  return JSON.stringify(notebook, null, 1) + "\n";
}

const args = process.argv.slice(2);
const files = args.length > 0 ? args.map((file) => path.resolve(file)) : await chapterFiles();
let failed = false;
for (const file of files) {
  const started = Date.now();
  const { notebook, failures } = await executeNotebook(file);
  const problems = failureProblems(file, notebook, failures);
  if (problems.length > 0) {
    failed = true;
    for (const problem of problems) console.error(problem.message);
    continue;
  }
  await writeFile(file, serialize(notebook));
  console.log(
    `${path.basename(file)}: executed in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
process.exit(failed ? 1 : 0);
