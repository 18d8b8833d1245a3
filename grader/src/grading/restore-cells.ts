/**
 * The grade pipeline (pipelines.ts: overwrite-cells, clear-outputs,
 * collect-tests) over the submission: the instructor's cells restored, the
 * tampering found, the kernel's cells collected. When checking, a test with
 * hidden parts is the grader's: it is set aside, not run.
 */
import { runPipeline } from "../pipeline.ts";
import { gradeSteps, type GradeResources } from "../pipelines.ts";
import { needs, type Stage } from "./stage.ts";

export const restoreCells: Stage = {
  name: "restore-cells",
  async run(g) {
    const auth = needs(g.authority, "the authority", "restore-cells");
    // A file that is not a notebook has no cells: every test is still listed.
    const submission = g.submission ?? { ...auth.notebook, cells: [] };
    const [, res] = runPipeline<GradeResources>(gradeSteps, submission, {
      authority: auth.notebook,
      checksums: auth.checksums,
      mode: g.mode,
    });
    const all = res.tests ?? [];
    const tests = all.filter((t) => g.mode === "grade" || !t.hasHiddenParts);
    return {
      ...g,
      prefix: res.prefix ?? [],
      tests,
      gradersOnly: all.filter((t) => !tests.includes(t)),
      tampered: res.tampered ?? [],
      missing: res.missing ?? [],
    };
  },
};
