import { renderTex } from "../plugins/math.ts";
import { text, type MimeBundle } from "../../../shared/notebook/format.ts";
import { ansiToHtml } from "./ansi.ts";
import type { RenderContext } from "./context.ts";
import { escapeHtml } from "./escape.ts";
import { IMAGE_TYPES, renderImage } from "./image.ts";
import { sanitize } from "./sanitize.ts";

// execute_result and display_data carry a MIME bundle: several renderings of
// one value. Like JupyterLab, show the richest one this page can display.

const PREFERENCE = [
  "text/html",
  "image/svg+xml",
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "text/markdown",
  "text/latex",
  "application/json",
  "text/plain",
];

export function pickMime(bundle: MimeBundle): string | undefined {
  return PREFERENCE.find((mime) => mime in bundle);
}

export function renderDisplay(
  bundle: MimeBundle,
  metadata: Record<string, unknown> | undefined,
  ctx: RenderContext,
): string {
  const mime = pickMime(bundle);
  if (!mime) return "";
  const data = bundle[mime];
  const plain = text(bundle["text/plain"]);
  if (IMAGE_TYPES.includes(mime)) {
    return wrap("image", renderImage(mime, data, metadata, plain || "output image", ctx));
  }
  switch (mime) {
    case "text/html":
      return wrap("html", ctx.trusted ? text(data) : sanitize(text(data)));
    case "text/markdown":
      return wrap("markdown", ctx.markdown(text(data), ctx.env));
    case "text/latex":
      ctx.env.hasMath = true;
      return wrap(
        "latex",
        renderTex(
          text(data)
            .trim()
            .replace(/^\$\$?|\$\$?$/g, ""),
          true,
        ),
      );
    case "application/json":
      return `<pre class="output json">${escapeHtml(JSON.stringify(data, null, 2))}</pre>`;
    default:
      return `<pre class="output text">${ansiToHtml(text(data))}</pre>`;
  }
}

function wrap(kind: string, html: string): string {
  return `<div class="output ${kind}">${html}</div>`;
}
