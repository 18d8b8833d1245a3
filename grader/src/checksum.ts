/**
 * Tamper evidence, as nbgrader does it: `assign` records a checksum of every
 * locked and grade cell as the student receives it; the grader recomputes
 * it on the submission. A mismatch means the student edited a cell they
 * should not have (the grader restores the instructor's version either way).
 */
import { createHash } from "node:crypto";
import { nbgrader, sourceOf, type Cell } from "./notebook.ts";

export function checksum(cell: Cell): string {
  const meta = nbgrader(cell);
  const fields = {
    grade_id: meta?.grade_id ?? null,
    grade: meta?.grade ?? false,
    solution: meta?.solution ?? false,
    locked: meta?.locked ?? false,
    points: meta?.points ?? 0,
    // Line endings and trailing blanks are not edits.
    source: sourceOf(cell).replace(/\r\n/g, "\n").replace(/\s+$/, ""),
  };
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}
