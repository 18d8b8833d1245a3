/**
 * Where assignments live: the instructor's source in
 * assignments/NAME/NAME.ipynb (with solutions and hidden tests), the
 * student version written by `assign` in assignments/release/NAME/.
 * Support files (e.g. a program the tests run) are listed in the source
 * notebook's metadata.ipc_lab.support and copied beside the release and
 * into the grading sandbox.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadNotebook, nbgrader, NotebookError, type Notebook } from "./notebook.ts";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const assignmentsDir = path.join(root, "assignments");
export const releaseDir = path.join(assignmentsDir, "release");

export interface Assignment {
  name: string;
  source: string;
  release: string;
}

export function assignmentNames(): string[] {
  if (!existsSync(assignmentsDir)) return [];
  return readdirSync(assignmentsDir)
    .filter(
      (name) => name !== "release" && existsSync(path.join(assignmentsDir, name, `${name}.ipynb`)),
    )
    .sort();
}

export function assignment(name: string): Assignment {
  if (!assignmentNames().includes(name)) {
    throw new NotebookError(
      `unknown assignment "${name}" (known: ${assignmentNames().join(", ") || "none"})`,
    );
  }
  return {
    name,
    source: path.join(assignmentsDir, name, `${name}.ipynb`),
    release: path.join(releaseDir, name, `${name}.ipynb`),
  };
}

export function supportFiles(source: Notebook): string[] {
  const meta = (source.metadata.ipc_lab ?? {}) as { support?: string[] };
  return meta.support ?? [];
}

/**
 * Which assignment a submission is: its metadata says so (set by assign),
 * else the one whose grade_ids it shares most.
 */
export async function identify(submission: Notebook, fromRelease: boolean): Promise<Assignment> {
  const named = (submission.metadata.ipc_lab as { assignment?: string } | undefined)?.assignment;
  const names = assignmentNames();
  if (named && names.includes(named)) return assignment(named);
  const ids = new Set(submission.cells.map((cell) => nbgrader(cell)?.grade_id).filter(Boolean));
  let best: { name: string; shared: number } | undefined;
  for (const name of names) {
    const a = assignment(name);
    const nb = await loadNotebook(fromRelease ? a.release : a.source);
    const shared = nb.cells.filter((cell) => ids.has(nbgrader(cell)?.grade_id)).length;
    if (shared > 0 && shared > (best?.shared ?? 0)) best = { name, shared };
  }
  if (!best)
    throw new NotebookError(
      "the submission matches no assignment (no known grade_id); pass --assignment NAME",
    );
  return assignment(best.name);
}
