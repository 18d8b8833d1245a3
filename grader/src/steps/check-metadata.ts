/**
 * Refuses an instructor notebook whose nbgrader metadata would grade
 * wrongly: a grade cell without points, a duplicate grade_id, a solution
 * cell without solution markers, an unknown schema version.
 */
import type { Step } from "../pipeline.ts";
import { NotebookError, nbgrader, sourceOf } from "../notebook.ts";
import { countRegions } from "../regions.ts";

export interface MetadataResources {
  file: string;
  gradeIds?: Set<string>;
}

export const checkMetadata: Step<MetadataResources> = {
  name: "check-metadata",
  cell(cell, resources, index) {
    const meta = nbgrader(cell);
    const where = `${resources.file}, cell ${index + 1}`;
    if (!meta) {
      if (cell.metadata?.nbgrader)
        throw new NotebookError(`${where}: nbgrader metadata without a grade_id`);
      return [cell, resources];
    }
    const ids = (resources.gradeIds ??= new Set());
    if (ids.has(meta.grade_id))
      throw new NotebookError(`${where}: grade_id "${meta.grade_id}" is used twice`);
    ids.add(meta.grade_id);
    if (meta.schema_version !== 3) {
      throw new NotebookError(
        `${where} (${meta.grade_id}): schema_version must be 3, got ${String(meta.schema_version)}`,
      );
    }
    if (meta.grade && !(typeof meta.points === "number" && meta.points >= 0)) {
      throw new NotebookError(
        `${where} (${meta.grade_id}): a grade cell needs points (a number >= 0)`,
      );
    }
    if (meta.solution && meta.grade) {
      throw new NotebookError(
        `${where} (${meta.grade_id}): a cell is either a solution or a test, not both`,
      );
    }
    if (
      meta.solution &&
      cell.cell_type === "code" &&
      countRegions(sourceOf(cell), "SOLUTION", where) === 0
    ) {
      throw new NotebookError(
        `${where} (${meta.grade_id}): solution cell without "// BEGIN SOLUTION" / "// END SOLUTION"`,
      );
    }
    return [cell, resources];
  },
};
