/**
 * The submission as a notebook (or the reason it is not one: still graded,
 * zero with the reason, when the assignment is named), which assignment it
 * is, and what the grader trusts for it.
 */
import path from "node:path";
import { release } from "../assign.ts";
import { identify, assignment as named, supportFiles, type Assignment } from "../assignments.ts";
import { checksum } from "../checksum.ts";
import { assignmentLimits, defaultLimits, resolveLimits, type Limits } from "../limits.ts";
import { loadNotebook, nbgrader, NotebookError } from "../notebook.ts";
import type { Authority, Mode, Stage } from "./stage.ts";

async function authority(a: Assignment, mode: Mode): Promise<Authority> {
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

export const readSubmission: Stage = {
  name: "read-submission",
  async run(g) {
    let submission;
    try {
      submission = await loadNotebook(g.file);
    } catch (error) {
      // Without a named assignment there is nothing to grade against.
      if (!(error instanceof NotebookError) || !g.assignmentName) throw error;
      const a = named(g.assignmentName);
      const trusted = await authority(a, g.mode);
      return {
        ...g,
        invalid: error.message,
        assignment: a,
        authority: trusted,
        limits: limitsFor(g.limitOverrides, trusted),
      };
    }
    const a = g.assignmentName
      ? named(g.assignmentName)
      : await identify(submission, g.mode === "check");
    const trusted = await authority(a, g.mode);
    return {
      ...g,
      submission,
      assignment: a,
      authority: trusted,
      limits: limitsFor(g.limitOverrides, trusted),
    };
  },
};

/** The assignment's own limits (from the trusted notebook, never the submission's) under the caller's. */
function limitsFor(overrides: Partial<Limits> | undefined, trusted: Authority): Limits {
  const own = assignmentLimits(trusted.notebook.metadata);
  return resolveLimits(overrides, process.env, { ...defaultLimits, ...own });
}
