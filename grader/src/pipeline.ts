/**
 * nbgrader's design: a pipeline is an ordered list of named steps
 * (preprocessors) with one contract, (cell, resources) -> (cell, resources).
 * A step returns null to drop the cell; `finish` runs once after the cells,
 * for what needs the whole notebook (e.g. cells the student deleted).
 */
import type { Cell, Notebook } from "./notebook.ts";

export interface Step<R> {
  name: string;
  // Generic so that a step needing only part of the resources fits any
  // pipeline whose resources include that part.
  cell?<T extends R>(cell: Cell, resources: T, index: number): [Cell | null, T];
  finish?<T extends R>(notebook: Notebook, resources: T): [Notebook, T];
}

export function runPipeline<R>(
  steps: readonly Step<R>[],
  notebook: Notebook,
  resources: R,
): [Notebook, R] {
  let nb: Notebook = structuredClone(notebook);
  let res = resources;
  for (const step of steps) {
    if (step.cell) {
      const cells: Cell[] = [];
      nb.cells.forEach((cell, index) => {
        const [out, next] = step.cell!(cell, res, index);
        res = next;
        if (out) cells.push(out);
      });
      nb = { ...nb, cells };
    }
    if (step.finish) [nb, res] = step.finish(nb, res);
  }
  return [nb, res];
}
