// `npm run check -- NOTEBOOK.ipynb`: the visible tests, run as the grader
// runs them (same sandbox, same restored cells), with the same feedback.
import { gradeSubmission } from "../grade.ts";
import { summary } from "../summary.ts";
import { parse } from "./args.ts";

const args = parse(
  process.argv.slice(2),
  "usage: npm run check -- NOTEBOOK.ipynb [--assignment NAME]",
);
try {
  const graded = await gradeSubmission(args.file, {
    mode: "check",
    assignment: args.assignment,
    limits: args.limits,
  });
  console.log(summary(graded, args.file));
  if (graded.tests.some((t) => t.report.status !== "ok")) {
    console.log("Some visible tests fail. The grader also runs hidden tests.");
  } else {
    console.log(
      "Every visible test passes. The grader also runs hidden tests: make sure your code is right, not only these cases.",
    );
  }
} catch (error) {
  console.error(`check: ${(error as Error).message}`);
  process.exit(2);
}
