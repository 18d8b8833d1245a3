import MarkdownIt from "markdown-it";
import type { CodeHighlighter } from "../highlight.ts";
import { admonitionsPlugin } from "../plugins/admonitions.ts";
import { anchorsPlugin } from "../plugins/anchors.ts";
import { hangulPlugin } from "../plugins/hangul.ts";
import { highlightPlugin } from "../plugins/highlight.ts";
import { linksPlugin } from "../plugins/links.ts";
import { mathPlugin } from "../plugins/math.ts";
import { tablesPlugin } from "../plugins/tables.ts";
import { sanitize } from "../render/sanitize.ts";
import type { PageEnv } from "./env.ts";
import { fillSlots } from "./slots.ts";

export type RenderMarkdown = (source: string, env: PageEnv) => string;

/**
 * The site's one Markdown engine: CommonMark + GFM tables and strikethrough
 * (markdown-it), raw HTML allowed but sanitised, and the course's plugins.
 */
export function createMarkdown(highlighter: CodeHighlighter): RenderMarkdown {
  const md = new MarkdownIt({ html: true, linkify: true });
  // Plugin order matters only where two touch the same tokens: admonitions
  // rewrite ```{note} fences before highlighting would claim them.
  md.use(mathPlugin)
    .use(admonitionsPlugin)
    .use(highlightPlugin, highlighter)
    .use(anchorsPlugin)
    .use(linksPlugin)
    .use(tablesPlugin)
    .use(hangulPlugin);
  return (source, env) => fillSlots(sanitize(md.render(source, env)), env);
}
