/** The phases, run in the sandbox (sandbox/run.ts); nothing to run for an invalid file. */
import { root } from "../assignments.ts";
import { hiddenPaths, runInSandbox } from "../sandbox/run.ts";
import { needs, type Stage } from "./stage.ts";

export const runSandbox: Stage = {
  name: "run-sandbox",
  async run(g) {
    const phases = needs(g.phases, "the phases", "run-sandbox");
    if (g.invalid !== undefined || phases.length === 0) return { ...g, run: null };
    const run = await runInSandbox(phases, {
      root,
      limits: g.limits,
      support: needs(g.authority, "the authority", "run-sandbox").support,
      hide: hiddenPaths(root, g.hide),
    });
    return { ...g, run };
  },
};
