// Arguments shared by `npm run grade` and `npm run check`.
import { parseArgs } from "node:util";
import type { Limits } from "../limits.ts";

export function parse(argv: string[], usage: string) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      assignment: { type: "string" },
      "cell-timeout": { type: "string" },
      "submission-timeout": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.error(usage);
    process.exit(values.help ? 0 : 2);
  }
  const limits: Partial<Limits> = {};
  if (values["cell-timeout"]) limits.cellTimeout = Number(values["cell-timeout"]);
  if (values["submission-timeout"]) limits.submissionTimeout = Number(values["submission-timeout"]);
  return {
    file: positionals[0]!,
    out: values.out,
    assignment: values.assignment,
    limits,
    quiet: values.quiet ?? false,
  };
}
