import { ansiToHtml } from "./ansi.ts";

/** stdout/stderr text, ANSI colours included, as a terminal would show it. */
export function renderStream(name: string, text: string): string {
  const kind = name === "stderr" ? "stderr" : "stdout";
  const label = kind === "stderr" ? ' aria-label="standard error"' : "";
  return `<pre class="output stream ${kind}"${label}>${ansiToHtml(text)}</pre>`;
}
