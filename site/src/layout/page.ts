import { SITE } from "../course.ts";
import { escapeHtml } from "../render/escape.ts";
import { ICONS } from "./icons.ts";
import { sidebar, toc, type ChapterLink } from "./nav.ts";
import type { Heading } from "../markdown/env.ts";

export interface PageInput {
  title: string;
  description: string;
  /** Chapter slug, or undefined for the home page. */
  current: string | undefined;
  chapters: ChapterLink[];
  headings: Heading[];
  /** The <article>'s inner HTML. */
  article: string;
  /** After the article: prev/next links. */
  pager: string;
  hasMath: boolean;
}

// Runs before first paint so a stored dark choice never flashes light.
// Kept inline (and tiny) for that reason; everything else is in site.js.
const THEME_BOOT =
  "(function(d){d.classList.add('js');try{var t=localStorage.getItem('ipc-lab-theme');if(t)d.dataset.theme=t}catch(e){}})(document.documentElement)";

/** Where a chapter wants its folded contents list (after its toolbar). */
export const INLINE_TOC_MARK = "<!--inline-toc-->";

/** Narrow screens have no TOC column, so the list folds into the article. */
function placeInlineToc(article: string, contents: string): string {
  const inline = contents
    ? `<details class="toc-inline"><summary>On this page</summary>${contents}</details>\n`
    : "";
  return article.includes(INLINE_TOC_MARK)
    ? article.replace(INLINE_TOC_MARK, inline)
    : inline + article;
}

export function page(input: PageInput): string {
  const contents = toc(input.headings);
  const title =
    input.current === undefined
      ? `${SITE.title}: ${SITE.subtitle}`
      : `${input.title} · ${SITE.title}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<meta name="description" content="${escapeHtml(input.description)}">
<meta name="color-scheme" content="light dark">
<script>${THEME_BOOT}</script>
<link rel="stylesheet" href="assets/style.css">
<link rel="stylesheet" href="assets/code.css">
${input.hasMath ? '<link rel="stylesheet" href="assets/katex/katex.min.css">\n' : ""}<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">
<script type="module" src="assets/site.js"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<input type="checkbox" id="nav-toggle" class="nav-toggle" aria-hidden="true" tabindex="-1">
<header class="topbar">
<label for="nav-toggle" class="icon-button nav-button" title="Chapters">${ICONS.menu}<span class="visually-hidden">Chapters</span></label>
<a class="brand" href="index.html"><span class="brand-mark">ipc</span>-lab <span class="brand-ko" lang="ko">${SITE.subtitleKo}</span></a>
<form class="search" role="search" action="#">
<label class="search-box">${ICONS.search}<span class="visually-hidden">Search the course</span>
<input id="search-input" type="search" placeholder="Search" autocomplete="off" spellcheck="false" aria-controls="search-results" aria-autocomplete="list"><kbd>/</kbd></label>
<div id="search-results" class="search-results" role="listbox" aria-label="Search results" hidden></div>
</form>
<button type="button" class="icon-button theme-toggle" title="Toggle dark mode" aria-label="Toggle dark mode">${ICONS.moon}${ICONS.sun}</button>
</header>
<div class="layout${contents ? "" : " no-toc"}">
${sidebar(input.chapters, input.current)}
<main id="main" class="content">
<article>
${placeInlineToc(input.article, contents)}
</article>
${input.pager}
</main>
${contents ? `<aside class="toc" aria-label="On this page"><p class="toc-title">On this page</p>${contents}</aside>` : ""}
</div>
<footer class="site-footer"><p>${escapeHtml(SITE.title)}: ${escapeHtml(SITE.subtitle)}. Built from the course notebooks and their stored outputs.</p></footer>
</body>
</html>
`;
}
