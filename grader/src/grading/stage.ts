/**
 * Grading one submission as named stages, in order, each taking the grading
 * so far and returning it with its own part filled in (the cell pipelines'
 * contract, at the scale of the whole submission). The list is in grade.ts.
 */
import type { Assignment } from "../assignments.ts";
import type { Notebook } from "../notebook.ts";
import type { Limits } from "../limits.ts";
import type { CellReport, Phase, RunReport } from "../sandbox/run.ts";
import type { TestCell } from "../steps/collect-tests.ts";
import type { Tamper } from "../steps/overwrite-cells.ts";
import type { Probes } from "./probes.ts";

export type Mode = "grade" | "check";
export type PhaseName = Phase["name"];

/** What the grader trusts: the instructor's cells, their checksums, the support files. */
export interface Authority {
  notebook: Notebook;
  checksums: Record<string, string>;
  support: string[];
}

export interface Grading {
  file: string;
  mode: Mode;
  /** The defaults (raised by the assignment's metadata.ipc_lab.limits in read-submission), env, overrides. */
  limits: Limits;
  /** What the caller asked for (the CLI's flags): wins over the assignment's own limits. */
  limitOverrides?: Partial<Limits>;
  /** Paths the kernel must not see. */
  hide: string[];
  /** Set by the caller, or found in the submission. */
  assignmentName?: string;
  started: number;
  /** read-submission */
  submission?: Notebook;
  invalid?: string;
  assignment?: Assignment;
  authority?: Authority;
  /** restore-cells */
  prefix?: { id: string; source: string; gradeId?: string }[];
  tests?: TestCell[];
  gradersOnly?: TestCell[];
  tampered?: Tamper[];
  missing?: string[];
  /** plan-phases */
  phases?: Phase[];
  probes?: Map<PhaseName, Probes>;
  /** run-sandbox */
  run?: RunReport | null;
  /** score-cells: each phase's reports by cell id */
  reports?: Map<PhaseName, Map<string, CellReport>>;
  honesty?: string[];
}

export interface Stage {
  name: string;
  run(grading: Grading): Promise<Grading>;
}

export async function runStages(stages: readonly Stage[], grading: Grading): Promise<Grading> {
  let g = grading;
  for (const stage of stages) g = await stage.run(g);
  return g;
}

/** A stage's input that an earlier stage must have set. */
export function needs<T>(value: T | undefined, what: string, stage: string): T {
  if (value === undefined)
    throw new Error(`grading stage ${stage}: ${what} is not set (stage order?)`);
  return value;
}
