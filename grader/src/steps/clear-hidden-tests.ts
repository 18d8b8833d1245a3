/** Hidden tests leave the student's copy entirely (code and markers). */
import type { Step } from "../pipeline.ts";
import { isGrade, sourceOf, withSource } from "../notebook.ts";
import { clearHiddenTests as clear } from "../regions.ts";

export const clearHiddenTests: Step<{ file: string }> = {
  name: "clear-hidden-tests",
  cell(cell, resources, index) {
    if (!isGrade(cell)) return [cell, resources];
    const source = sourceOf(cell);
    const cleared = clear(source, `${resources.file}, cell ${index + 1}`);
    if (cleared === source) return [cell, resources];
    // Tells `check` that this test has parts only the grader runs.
    const out = withSource(cell, cleared);
    return [{ ...out, metadata: { ...out.metadata, ipc_lab_hidden: true } }, resources];
  },
};
