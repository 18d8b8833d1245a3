/**
 * Each phase's reports by cell id, and the probes' verdict on each phase's
 * kernel: a dishonest kernel's "ok" means nothing.
 */
import type { CellReport } from "../sandbox/run.ts";
import { needs, type PhaseName, type Stage } from "./stage.ts";

export const scoreCells: Stage = {
  name: "score-cells",
  async run(g) {
    const reports = new Map<PhaseName, Map<string, CellReport>>();
    for (const phase of g.run?.phases ?? []) {
      reports.set(phase.name as PhaseName, new Map(phase.cells.map((cell) => [cell.id, cell])));
    }
    const probes = needs(g.probes, "the probes", "score-cells");
    const honesty = [...probes]
      .map(([name, own]) => own.verify(reports.get(name) ?? new Map()))
      .filter((problem): problem is string => problem !== null);
    return { ...g, reports, honesty };
  },
};
