/** Outputs of the instructor's (or the student's) run are never handed on. */
import type { Step } from "../pipeline.ts";

export const clearOutputs: Step<unknown> = {
  name: "clear-outputs",
  cell(cell, resources) {
    if (cell.cell_type !== "code") return [cell, resources];
    return [{ ...cell, outputs: [], execution_count: null }, resources];
  },
};
