// `npm run assign [-- NAME...]`: writes the student version of each assignment.
import path from "node:path";
import { assign } from "../assign.ts";
import { assignmentNames, root } from "../assignments.ts";
import { NotebookError } from "../notebook.ts";

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : assignmentNames();
try {
  for (const name of names) {
    const { assignment, checksums } = await assign(name);
    console.log(
      `assign: ${name} -> ${path.relative(root, assignment.release)} (${checksums} locked cells checksummed)`,
    );
  }
} catch (error) {
  if (!(error instanceof NotebookError)) throw error;
  console.error(`assign: ${error.message}`);
  process.exit(1);
}
