import type { MarkdownIt } from "markdown-it";
import anchor from "markdown-it-anchor";
import type { PageEnv } from "../markdown/env.ts";

// Heading ids and "#" permalinks (markdown-it-anchor), plus the page's table
// of contents collected from the same tokens.

/** Keeps letters and digits of any script, so Korean headings get Korean ids. */
export function slugify(text: string): string {
  const slug = text
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .trim()
    .replace(/[\s_-]+/g, "-");
  return slug === "" ? "section" : slug;
}

export function anchorsPlugin(md: MarkdownIt): void {
  md.use(anchor, {
    level: [1, 2, 3, 4],
    slugify,
    tabIndex: false,
    permalink: anchor.permalink.linkInsideHeader({
      symbol: "#",
      placement: "after",
      ariaHidden: true,
      class: "anchor",
    }),
  });
  md.core.ruler.push("collect_headings", (state) => {
    const env = state.env as PageEnv;
    const tokens = state.tokens;
    tokens.forEach((token, i) => {
      const id = String(token.attrGet("id") ?? "");
      if (token.type !== "heading_open" || !id) return;
      const text = (tokens[i + 1]?.children ?? [])
        .filter((t) => t.type === "text" || t.type === "code_inline")
        .map((t) => t.content)
        .join("")
        .trim();
      env.headings?.push({ level: Number(token.tag.slice(1)), id, text });
    });
  });
}
