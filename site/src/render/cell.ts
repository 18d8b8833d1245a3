import {
  text,
  type Cell,
  type CodeCell,
  type Output,
  type StreamOutput,
} from "../../../shared/notebook/format.ts";
import type { RenderContext } from "./context.ts";
import { renderDisplay } from "./display.ts";
import { renderError } from "./error.ts";
import { renderStream } from "./stream.ts";

// Jupyter Book's cell tags decide what a reader sees: remove-* drops a part,
// hide-* folds it behind a <details> that works without JavaScript.

export function renderCell(cell: Cell, ctx: RenderContext): string {
  const tags = new Set(cell.metadata?.tags ?? []);
  if (tags.has("remove-cell")) return "";
  if (cell.cell_type === "markdown") {
    ctx.env.attachments = cell.attachments;
    const html = ctx.markdown(text(cell.source), ctx.env);
    ctx.env.attachments = undefined;
    return `<div class="cell markdown">\n${html}</div>\n`;
  }
  if (cell.cell_type === "code") return renderCodeCell(cell, tags, ctx);
  return ""; // raw cells are for other nbconvert targets
}

function renderCodeCell(cell: CodeCell, tags: Set<string>, ctx: RenderContext): string {
  const source = text(cell.source);
  let input = "";
  if (source.trim() && !tags.has("remove-input")) {
    input = `<div class="input">${ctx.highlighter.highlight(source, ctx.language)}</div>`;
    if (tags.has("hide-input")) input = fold("Show code", input);
  }
  let outputs = "";
  if (!tags.has("remove-output")) {
    outputs = mergeStreams(cell.outputs ?? [])
      .map((output) => renderOutput(output, ctx))
      .join("\n");
    if (outputs && tags.has("hide-output")) outputs = fold("Show output", outputs);
    if (outputs) outputs = `<div class="outputs">${outputs}</div>`;
  }
  if (!input && !outputs) return "";
  return `<div class="cell code">${input}${outputs}</div>\n`;
}

function fold(summary: string, html: string): string {
  return `<details class="fold"><summary>${summary}</summary>${html}</details>`;
}

export function renderOutput(output: Output, ctx: RenderContext): string {
  switch (output.output_type) {
    case "stream":
      return renderStream(output.name, text(output.text));
    case "error":
      return renderError(output);
    case "execute_result":
    case "display_data":
      return renderDisplay(output.data ?? {}, output.metadata, ctx);
    default:
      return "";
  }
}

/** Consecutive writes to one stream read as one block, as in JupyterLab. */
function mergeStreams(outputs: Output[]): Output[] {
  const merged: Output[] = [];
  for (const output of outputs) {
    if (output.output_type === "stream" && text(output.text) === "") continue;
    const last = merged.at(-1);
    if (
      output.output_type === "stream" &&
      last?.output_type === "stream" &&
      last.name === output.name
    ) {
      merged[merged.length - 1] = {
        ...last,
        text: text(last.text) + text(output.text),
      } satisfies StreamOutput;
    } else {
      merged.push(output);
    }
  }
  return merged;
}
