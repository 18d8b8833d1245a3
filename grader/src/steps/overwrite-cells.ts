/**
 * The grader's copy wins: every locked and test cell is replaced by the
 * instructor's version (matched by grade_id), whatever the submission
 * holds. A cell whose checksum differs from the one recorded at `assign`
 * time is reported as tampered; a deleted one is put back and reported; a
 * solution cell keeps the student's code under the instructor's metadata.
 */
import type { Step } from "../pipeline.ts";
import {
  isInstructorCell,
  isSolution,
  nbgrader,
  sourceOf,
  withSource,
  type Cell,
  type Notebook,
} from "../notebook.ts";
import { checksum } from "../checksum.ts";
import { clearSolutions } from "../regions.ts";

export interface Tamper {
  gradeId: string;
  what: "edited" | "deleted" | "duplicated" | "invented";
}

export interface OverwriteResources {
  /** The instructor's notebook (source when grading, release when checking). */
  authority: Notebook;
  /** Checksums of the cells as released to students, by grade_id. */
  checksums: Record<string, string>;
  seen?: Set<string>;
  tampered?: Tamper[];
  /** Solution cells the student deleted (graded as empty). */
  missing?: string[];
}

function authorityCells(resources: OverwriteResources): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  for (const cell of resources.authority.cells) {
    const meta = nbgrader(cell);
    if (meta) cells.set(meta.grade_id, cell);
  }
  return cells;
}

const stripped = (cell: Cell): Cell => {
  const metadata = { ...cell.metadata };
  delete metadata.nbgrader;
  return { ...cell, metadata };
};

export const overwriteCells: Step<OverwriteResources> = {
  name: "overwrite-cells",
  cell(cell, resources) {
    const meta = nbgrader(cell);
    if (!meta) return [cell, resources];
    const seen = (resources.seen ??= new Set());
    const tampered = (resources.tampered ??= []);
    const original = authorityCells(resources).get(meta.grade_id);
    if (!original) {
      tampered.push({ gradeId: meta.grade_id, what: "invented" });
      return [stripped(cell), resources];
    }
    if (seen.has(meta.grade_id)) {
      tampered.push({ gradeId: meta.grade_id, what: "duplicated" });
      return [isInstructorCell(original) ? null : stripped(cell), resources];
    }
    seen.add(meta.grade_id);
    if (isSolution(original)) {
      // The student's code, the instructor's metadata (points, flags).
      return [
        { ...cell, cell_type: original.cell_type, metadata: { ...original.metadata } } as Cell,
        resources,
      ];
    }
    const recorded = resources.checksums[meta.grade_id];
    if (recorded !== undefined && checksum(cell) !== recorded) {
      tampered.push({ gradeId: meta.grade_id, what: "edited" });
    }
    return [structuredClone(original), resources];
  },
  finish(notebook, resources) {
    const seen = (resources.seen ??= new Set());
    const tampered = (resources.tampered ??= []);
    const missing = (resources.missing ??= []);
    const cells = [...notebook.cells];
    let previous: string | undefined;
    for (const original of resources.authority.cells) {
      const meta = nbgrader(original);
      if (!meta) continue;
      if (!seen.has(meta.grade_id)) {
        const restored = isSolution(original)
          ? withSource(original, clearSolutions(sourceOf(original), meta.grade_id))
          : structuredClone(original);
        if (isSolution(original)) missing.push(meta.grade_id);
        else if (original.cell_type === "code")
          tampered.push({ gradeId: meta.grade_id, what: "deleted" });
        const after = cells.findIndex((cell) => nbgrader(cell)?.grade_id === previous);
        cells.splice(after + 1, 0, restored);
        seen.add(meta.grade_id);
      }
      previous = meta.grade_id;
    }
    return [{ ...notebook, cells }, resources];
  },
};
