// `npm run gradescope [-- NAME...]`: grader/dist/gradescope/NAME.zip for each assignment.
import path from "node:path";
import { statSync } from "node:fs";
import { assignmentNames, root } from "../assignments.ts";
import { buildZip } from "../gradescope.ts";

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : assignmentNames();
for (const name of names) {
  const zip = await buildZip(name);
  const kib = Math.round(statSync(zip).size / 1024);
  console.log(`gradescope: ${name} -> ${path.relative(root, zip)} (${kib} KiB)`);
}
console.log(
  "Upload each zip as the assignment's autograder (Ubuntu image); setup.sh installs Node 20 and builds.",
);
