import { mechanismOf } from "../course.ts";
import type { Heading } from "../markdown/env.ts";
import type { Chapter } from "../notebook/discover.ts";
import { escapeHtml } from "../render/escape.ts";
import { markKorean } from "../plugins/hangul.ts";

export type ChapterLink = Pick<Chapter, "number" | "slug" | "title" | "shortTitle">;

export const pageOf = (chapter: Pick<Chapter, "slug">) => `${chapter.slug}.html`;

/** Left column: every chapter, the current one marked for screen readers too. */
export function sidebar(chapters: ChapterLink[], current: string | undefined): string {
  const items = chapters.map((chapter) => {
    const here = chapter.slug === current ? ' aria-current="page"' : "";
    const ko = mechanismOf(chapter.slug)?.ko;
    return (
      `<li><a href="${pageOf(chapter)}"${here}>` +
      `<span class="num">${String(chapter.number).padStart(2, "0")}</span>` +
      `<span class="name">${markKorean(chapter.shortTitle)}` +
      (ko ? `<span class="ko" lang="ko">${ko}</span>` : "") +
      `</span></a></li>`
    );
  });
  const home = current === undefined ? ' aria-current="page"' : "";
  const glossary = current === "glossary" ? ' aria-current="page"' : "";
  return (
    `<nav class="sidebar" id="chapters" aria-label="Chapters">` +
    `<a class="sidebar-home" href="index.html"${home}>Course home</a>` +
    `<a class="sidebar-home" href="glossary.html"${glossary}>Glossary <span class="ko" lang="ko">용어집</span></a>` +
    `<p class="sidebar-title">Chapters</p><ol>${items.join("")}</ol></nav>`
  );
}

/** Right column: h2 and h3 of this page. */
export function toc(headings: Heading[]): string {
  const items = headings.filter((h) => h.level === 2 || h.level === 3);
  if (items.length === 0) return "";
  const links = items
    .map(
      (h) =>
        `<li class="l${h.level}"><a href="#${escapeHtml(h.id)}">${markKorean(h.text)}</a></li>`,
    )
    .join("");
  return `<ol>${links}</ol>`;
}

/** A ChapterLink with an empty slug points at the home page. */
export const HOME_LINK: ChapterLink = {
  number: -1,
  slug: "",
  title: "Course home",
  shortTitle: "Course home",
};

export function pager(prev: ChapterLink | undefined, next: ChapterLink | undefined): string {
  const link = (rel: "prev" | "next", c: ChapterLink | undefined) => {
    if (!c) return `<span></span>`;
    const label = rel === "prev" ? "Previous" : "Next";
    const href = c.slug === "" ? "index.html" : pageOf(c);
    return `<a class="${rel}" rel="${rel}" href="${href}"><span class="label">${label}</span><span class="title">${markKorean(c.title)}</span></a>`;
  };
  return `<nav class="pager" aria-label="Previous and next chapter">${link("prev", prev)}${link("next", next)}</nav>`;
}
