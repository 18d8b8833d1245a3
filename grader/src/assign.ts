/**
 * `npm run assign`: the student version of each assignment, written to
 * assignments/release/NAME/ with its support files.
 */
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { runPipeline } from "./pipeline.ts";
import { assignSteps, type AssignResources } from "./pipelines.ts";
import { assignment, supportFiles, type Assignment } from "./assignments.ts";
import { loadNotebook, saveNotebook, type Notebook } from "./notebook.ts";

/** The release of one source notebook, in memory (deterministic). */
export function release(
  source: Notebook,
  name: string,
  file: string,
): { notebook: Notebook; checksums: Record<string, string> } {
  const [notebook, resources] = runPipeline<AssignResources>(assignSteps, source, { file });
  const own = (notebook.metadata.ipc_lab ?? {}) as Record<string, unknown>;
  notebook.metadata = { ...notebook.metadata, ipc_lab: { ...own, assignment: name } };
  return { notebook, checksums: resources.checksums ?? {} };
}

export async function assign(name: string): Promise<{ assignment: Assignment; checksums: number }> {
  const a = assignment(name);
  const source = await loadNotebook(a.source);
  const { notebook, checksums } = release(source, name, path.relative(process.cwd(), a.source));
  await mkdir(path.dirname(a.release), { recursive: true });
  await saveNotebook(a.release, notebook);
  for (const file of supportFiles(source)) {
    await copyFile(
      path.join(path.dirname(a.source), file),
      path.join(path.dirname(a.release), file),
    );
  }
  return { assignment: a, checksums: Object.keys(checksums).length };
}
