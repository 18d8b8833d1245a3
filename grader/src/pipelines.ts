/**
 * The grader's pipelines as data: ordered lists of named steps, each
 * (cell, resources) -> (cell, resources), as nbgrader's preprocessors.
 */
import type { Step } from "./pipeline.ts";
import { checkMetadata } from "./steps/check-metadata.ts";
import { clearOutputs } from "./steps/clear-outputs.ts";
import { clearSolutions } from "./steps/clear-solutions.ts";
import { clearHiddenTests } from "./steps/clear-hidden-tests.ts";
import { lockCells } from "./steps/lock-cells.ts";
import { computeChecksums } from "./steps/compute-checksums.ts";
import { overwriteCells } from "./steps/overwrite-cells.ts";
import { collectTests, type CollectResources } from "./steps/collect-tests.ts";
import type { MetadataResources } from "./steps/check-metadata.ts";
import type { ChecksumResources } from "./steps/compute-checksums.ts";
import type { OverwriteResources } from "./steps/overwrite-cells.ts";

export type AssignResources = MetadataResources & ChecksumResources;
export type GradeResources = OverwriteResources & CollectResources;

// `npm run assign`: instructor source -> student version.
export const assignSteps = [
  checkMetadata, //    first: refuse a broken source before anything is derived from it
  clearOutputs, //     outputs of the instructor's run would show the answers
  clearSolutions, //   before checksums: solution cells are not checksummed, but order keeps it obvious
  clearHiddenTests, // before checksums: the student's copy is what is checksummed
  lockCells, //        metadata only (editable/deletable); checksums ignore it
  computeChecksums, // last: records exactly what the student receives
] as const satisfies readonly Step<AssignResources>[];

// `npm run grade` / `npm run check`: submission -> the cells the kernel runs.
export const gradeSteps = [
  overwriteCells, //   first: everything after it sees the instructor's tests, never the student's edits
  clearOutputs, //     the submission's stored outputs prove nothing
  collectTests, //     last: reads the restored cells into the kernel's plan
] as const satisfies readonly Step<GradeResources>[];
