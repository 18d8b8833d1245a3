/** Solution regions become a stub that fails clearly until the student writes code. */
import type { Step } from "../pipeline.ts";
import { isSolution, sourceOf, withSource } from "../notebook.ts";
import { clearSolutions as clear } from "../regions.ts";

export const clearSolutions: Step<{ file: string }> = {
  name: "clear-solutions",
  cell(cell, resources, index) {
    if (!isSolution(cell)) return [cell, resources];
    return [
      withSource(cell, clear(sourceOf(cell), `${resources.file}, cell ${index + 1}`)),
      resources,
    ];
  },
};
