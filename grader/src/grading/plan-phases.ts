/**
 * What each kernel runs: the visible phase (the student's cells, then the
 * visible tests) and, when there are hidden tests, the hidden phase in a
 * fresh kernel (the student's code runs again; the hidden tests are sent only
 * once it has finished, see kernel-runner.py). Each phase ends with its own
 * probes.
 */
import type { Phase } from "../sandbox/run.ts";
import { probes, type Probes } from "./probes.ts";
import { needs, type PhaseName, type Stage } from "./stage.ts";

export const planPhases: Stage = {
  name: "plan-phases",
  async run(g) {
    if (g.invalid !== undefined) return { ...g, phases: [], probes: new Map() };
    const prefix = needs(g.prefix, "the prefix", "plan-phases");
    const tests = needs(g.tests, "the tests", "plan-phases");
    const phases: Phase[] = [];
    const probesOf = new Map<PhaseName, Probes>();
    const plan = (name: PhaseName, hidden: boolean) => {
      const own = probes();
      probesOf.set(name, own);
      phases.push({
        name,
        prefix,
        tests: [...tests.filter((t) => t.hidden === hidden), ...own.cells],
      });
    };
    plan("visible", false);
    if (tests.some((t) => t.hidden)) plan("hidden", true);
    return { ...g, phases, probes: probesOf };
  },
};
