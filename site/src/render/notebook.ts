import type { Notebook } from "../../../shared/notebook/format.ts";
import { renderCell } from "./cell.ts";
import type { RenderContext } from "./context.ts";

/** The article body of one chapter: every cell in order. */
export function renderNotebook(notebook: Notebook, ctx: RenderContext): string {
  return notebook.cells.map((cell) => renderCell(cell, ctx)).join("");
}

/** tslab notebooks say "typescript"; fall back to it when metadata is missing. */
export function notebookLanguage(notebook: Notebook): string {
  return (
    notebook.metadata?.language_info?.name ??
    notebook.metadata?.kernelspec?.language ??
    "typescript"
  );
}
