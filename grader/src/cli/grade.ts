// `npm run grade -- SUBMISSION.ipynb [--out results.json] [--assignment NAME]`
// Exit status: 0 when the submission was graded (whatever its score),
// 2 when the grader itself could not grade it.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { root } from "../../../shared/steps.mjs";
import { gradeSubmission } from "../grade.ts";
import { summary } from "../summary.ts";
import { parse } from "./args.ts";

const usage =
  "usage: npm run grade -- SUBMISSION.ipynb [--out results.json] [--assignment NAME]\n" +
  "       [--cell-timeout S] [--submission-timeout S] [--quiet]";
const args = parse(process.argv.slice(2), usage);

/**
 * What the kernel must not see (or write) of the results: their folder when
 * it is the results' own, else the file alone. Hiding a shared folder such as
 * /tmp, or one that holds the project, would hide what the kernel runs on.
 */
function resultsToHide(out: string): string[] {
  const dir = path.dirname(out);
  const holdsProject = !path.relative(dir, root).startsWith("..");
  const shared = new Set(["/", "/tmp", "/var/tmp", tmpdir()]);
  if (!holdsProject && !shared.has(dir)) return [dir];
  return existsSync(out) ? [out] : [];
}

try {
  const out = args.out ? path.resolve(args.out) : undefined;
  const graded = await gradeSubmission(args.file, {
    mode: "grade",
    assignment: args.assignment,
    limits: args.limits,
    hide: out ? resultsToHide(out) : [],
  });
  if (out) {
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify(graded.results, null, 2) + "\n");
  }
  if (!args.quiet) console.log(summary(graded, args.file));
  if (out) console.log(`results: ${path.relative(process.cwd(), out)}`);
} catch (error) {
  console.error(`grade: the grader failed: ${(error as Error).message}`);
  process.exit(2);
}
