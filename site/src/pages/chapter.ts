import { basename } from "node:path";
import { mechanismOf } from "../course.ts";
import { ICONS } from "../layout/icons.ts";
import { HOME_LINK, pager, type ChapterLink } from "../layout/nav.ts";
import { INLINE_TOC_MARK, page } from "../layout/page.ts";
import type { PageEnv } from "../markdown/env.ts";
import type { Chapter } from "../notebook/discover.ts";
import type { RenderContext } from "../render/context.ts";
import { escapeHtml } from "../render/escape.ts";
import { notebookLanguage, renderNotebook } from "../render/notebook.ts";

export interface ChapterPage {
  html: string;
  env: PageEnv;
  /** The rendered notebook alone, for the search index. */
  article: string;
}

export function renderChapterPage(
  chapter: Chapter,
  chapters: Chapter[],
  ctx: Omit<RenderContext, "language">,
): ChapterPage {
  const index = chapters.indexOf(chapter);
  const body = renderNotebook(chapter.notebook, {
    ...ctx,
    language: notebookLanguage(chapter.notebook),
  });
  const mechanism = mechanismOf(chapter.slug);
  const eyebrow =
    `<p class="eyebrow">Chapter ${chapter.number}` +
    (mechanism ? ` · <span lang="ko">${mechanism.ko}</span>` : "") +
    `</p>\n`;
  // The toolbar belongs right under the chapter's own # heading.
  const withTools = body.includes("</h1>")
    ? body.replace("</h1>", `</h1>\n${tools(chapter)}`)
    : tools(chapter) + body;
  const prev: ChapterLink | undefined = index === 0 ? HOME_LINK : chapters[index - 1];
  const html = page({
    title: chapter.title,
    description: `${chapter.title}: a chapter of the ipc-lab course on Inter-Process Communication.`,
    current: chapter.slug,
    chapters,
    headings: ctx.env.headings,
    article: eyebrow + withTools,
    pager: pager(prev, chapters[index + 1]),
    hasMath: ctx.env.hasMath,
  });
  return { html, env: ctx.env, article: body };
}

/** Download the .ipynb, and how to run it for real. */
function tools(chapter: Chapter): string {
  const file = basename(chapter.path);
  return `<div class="chapter-tools">
<a class="button" href="notebooks/${escapeHtml(file)}" download>${ICONS.download}Download ${escapeHtml(file)}</a>
<details class="open-in-jupyter"><summary>${ICONS.jupyter}Open in JupyterLab</summary>
<div class="open-steps">
<p>The outputs below were stored when the notebook last ran. To run it yourself, from the course repository:</p>
<pre class="shiki plain"><code>npm install        # builds the native addon, installs tslab
npm start          # opens JupyterLab on notebooks/</code></pre>
<p>then open <code>notebooks/${escapeHtml(file)}</code> and choose <em>Run › Run All Cells</em>. A downloaded copy opens in any JupyterLab with the TypeScript (tslab) kernel, but its cells import the course's <code>lib/</code>, so run it inside the repository.</p>
</div>
</details>
</div>
${INLINE_TOC_MARK}`;
}
