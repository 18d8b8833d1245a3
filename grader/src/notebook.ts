/**
 * Notebooks as the grader sees them: nbformat 4 with nbgrader's cell
 * metadata (`metadata.nbgrader`, schema 3), read and written as JSON.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Cell, Notebook } from "../../shared/notebook/format.ts";
import { text } from "../../shared/notebook/format.ts";

export type { Cell, Notebook };

/** nbgrader's per-cell metadata (schema_version 3). */
export interface NbgraderMeta {
  grade_id: string;
  solution: boolean;
  grade: boolean;
  locked: boolean;
  points?: number;
  schema_version: 3;
  /** Recorded by `assign` on locked and grade cells: see checksum.ts. */
  checksum?: string;
}

export function nbgrader(cell: Cell): NbgraderMeta | undefined {
  const meta = cell.metadata?.nbgrader as NbgraderMeta | undefined;
  return meta && typeof meta.grade_id === "string" ? meta : undefined;
}

export const isSolution = (cell: Cell) => nbgrader(cell)?.solution === true;
export const isGrade = (cell: Cell) => nbgrader(cell)?.grade === true;
export const isLocked = (cell: Cell) => nbgrader(cell)?.locked === true;
/** Cells the instructor owns: the grader restores them from its own copy. */
export const isInstructorCell = (cell: Cell) =>
  isGrade(cell) || (isLocked(cell) && !isSolution(cell));

export const sourceOf = (cell: Cell): string => text(cell.source);

/** A copy of `cell` with new source, split into lines as Jupyter stores it. */
export function withSource(cell: Cell, source: string): Cell {
  const lines = source.split(/(?<=\n)/);
  return { ...structuredClone(cell), source: lines };
}

export async function loadNotebook(file: string): Promise<Notebook> {
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch (error) {
    throw new NotebookError(`cannot read ${file}: ${(error as Error).message}`);
  }
  return parseNotebook(raw, file);
}

export function parseNotebook(raw: string, file: string): Notebook {
  let notebook: Notebook;
  try {
    notebook = JSON.parse(raw) as Notebook;
  } catch (error) {
    throw new NotebookError(
      `${file} is not a notebook: invalid JSON (${(error as Error).message})`,
    );
  }
  if (!notebook || !Array.isArray(notebook.cells) || notebook.nbformat !== 4) {
    throw new NotebookError(
      `${file} is not an nbformat 4 notebook (no "cells" list or nbformat != 4)`,
    );
  }
  for (const cell of notebook.cells) {
    cell.metadata ??= {};
    if (cell.cell_type === "code") cell.outputs ??= [];
  }
  return notebook;
}

export async function saveNotebook(file: string, notebook: Notebook): Promise<void> {
  await writeFile(file, JSON.stringify(notebook, null, 1) + "\n");
}

/** A problem with a notebook that the person who made it can fix. */
export class NotebookError extends Error {
  override name = "NotebookError";
}
