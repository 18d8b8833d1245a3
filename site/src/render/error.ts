import type { ErrorOutput } from "../../../shared/notebook/format.ts";
import { ansiToHtml } from "./ansi.ts";
import { escapeHtml } from "./escape.ts";

/** An exception: the traceback if the kernel sent one, else "ename: evalue". */
export function renderError(output: ErrorOutput): string {
  const traceback = (output.traceback ?? []).join("\n");
  const body = traceback.trim()
    ? ansiToHtml(traceback)
    : escapeHtml(`${output.ename}: ${output.evalue}`);
  return `<pre class="output error" role="alert" data-ename="${escapeHtml(output.ename)}">${body}</pre>`;
}
