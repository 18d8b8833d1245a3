/** JupyterLab's own flags: locked and test cells cannot be edited or deleted there. */
import type { Step } from "../pipeline.ts";
import { isInstructorCell } from "../notebook.ts";

export const lockCells: Step<unknown> = {
  name: "lock-cells",
  cell(cell, resources) {
    if (!isInstructorCell(cell)) return [cell, resources];
    return [
      { ...cell, metadata: { ...cell.metadata, editable: false, deletable: false } },
      resources,
    ];
  },
};
