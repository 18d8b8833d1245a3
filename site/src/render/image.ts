import { text } from "../../../shared/notebook/format.ts";
import type { RenderContext } from "./context.ts";
import { escapeHtml } from "./escape.ts";

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/svg+xml": "svg",
};

export const IMAGE_TYPES = Object.keys(EXTENSIONS);

/**
 * Images are written as files (not data: URLs) so a page's HTML stays small
 * and the browser can lazy-load them. SVG goes through <img> too, which also
 * keeps any script inside it from running.
 */
export function renderImage(
  mime: string,
  data: unknown,
  metadata: Record<string, unknown> | undefined,
  alt: string,
  ctx: RenderContext,
): string {
  const raw = text(data);
  const bytes =
    mime === "image/svg+xml" ? Buffer.from(raw) : Buffer.from(raw.replace(/\s/g, ""), "base64");
  const src = ctx.env.assets.add(bytes, EXTENSIONS[mime]!);
  const size = (metadata?.[mime] ?? metadata) as { width?: unknown; height?: unknown } | undefined;
  const dims = ["width", "height"]
    .map((key) => size?.[key as "width"])
    .map((v, i) => (typeof v === "number" ? ` ${i ? "height" : "width"}="${v}"` : ""))
    .join("");
  return `<img src="${src}" alt="${escapeHtml(alt)}"${dims} loading="lazy">`;
}
