/** Records what the student received, cell by cell, for tamper evidence. */
import type { Step } from "../pipeline.ts";
import { isInstructorCell, nbgrader } from "../notebook.ts";
import { checksum } from "../checksum.ts";

export interface ChecksumResources {
  checksums?: Record<string, string>;
}

export const computeChecksums: Step<ChecksumResources> = {
  name: "compute-checksums",
  cell(cell, resources) {
    const meta = nbgrader(cell);
    if (!meta || !isInstructorCell(cell)) return [cell, resources];
    const sum = checksum(cell);
    (resources.checksums ??= {})[meta.grade_id] = sum;
    return [
      { ...cell, metadata: { ...cell.metadata, nbgrader: { ...meta, checksum: sum } } },
      resources,
    ];
  },
};
