import { GLOSSARY } from "../glossary.ts";
import { pageOf } from "../layout/nav.ts";
import { page } from "../layout/page.ts";
import type { Heading } from "../markdown/env.ts";
import type { Chapter } from "../notebook/discover.ts";
import { escapeHtml } from "../render/escape.ts";

export const GLOSSARY_PAGE = "glossary.html";

const HEADINGS: Heading[] = [{ level: 2, id: "terms", text: "Terms" }];

/** The Korean–English glossary: one row per term, linked to the chapter that teaches it. */
export function renderGlossaryPage(chapters: Chapter[]): string {
  const rows = GLOSSARY.map((term) => {
    const chapter = chapters.find((c) => c.number === term.chapter);
    const where = chapter
      ? `<a href="${pageOf(chapter)}">${String(chapter.number).padStart(2, "0")}</a>`
      : "later";
    return `<tr><td>${escapeHtml(term.en)}</td><td lang="ko">${escapeHtml(term.ko)}</td><td>${escapeHtml(term.means)}</td><td>${where}</td></tr>`;
  });
  const article = `<h1 id="top">Glossary <span class="ko" lang="ko">용어집</span></h1>
<p>The course's terms in English and in the lecture's Korean, with the chapter that teaches each. The chapters write the Korean term beside the English one where it first appears.</p>
<h2 id="terms">Terms <span class="ko" lang="ko">용어</span> <a class="anchor" href="#terms" aria-hidden="true">#</a></h2>
<div class="table-wrap"><table class="glossary">
<thead><tr><th>English</th><th lang="ko">한국어</th><th>meaning</th><th>chapter</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody></table></div>`;
  return page({
    title: "Glossary",
    description: "Korean–English glossary of the course's terms.",
    current: "glossary",
    chapters,
    headings: HEADINGS,
    article,
    pager: "",
    hasMath: false,
  });
}
