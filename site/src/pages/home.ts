import { MODELS, SITE, mechanismOf } from "../course.ts";
import type { CodeHighlighter } from "../highlight.ts";
import { pageOf, pager } from "../layout/nav.ts";
import { page } from "../layout/page.ts";
import type { Heading } from "../markdown/env.ts";
import type { Chapter } from "../notebook/discover.ts";
import { chapterSummary } from "../notebook/summary.ts";
import { markKorean } from "../plugins/hangul.ts";
import { escapeHtml } from "../render/escape.ts";
import { messagePassingDiagram, sharedMemoryDiagram } from "./diagrams.ts";

const HEADINGS: Heading[] = [
  { level: 2, id: "course-map", text: "Course map" },
  { level: 2, id: "ipc-models", text: "The two IPC models" },
  { level: 2, id: "running-the-notebooks", text: "Running the notebooks" },
];

const heading = (h: Heading, ko?: string) =>
  `<h2 id="${h.id}">${h.text}${ko ? ` <span class="ko" lang="ko">${ko}</span>` : ""} <a class="anchor" href="#${h.id}" aria-hidden="true">#</a></h2>`;

export function renderHomePage(chapters: Chapter[], highlighter: CodeHighlighter): string {
  const first = chapters[0];
  const article = `<section class="hero">
<p class="eyebrow">Operating systems · <span lang="ko">운영체제</span></p>
<h1 id="top">Inter-Process Communication <span class="ko" lang="ko">${SITE.subtitleKo}</span></h1>
<p class="lead">Every process has its own address space, so processes that cooperate need the kernel's help to talk. This course makes the real Linux system calls (shm_open, mmap, pipe, fork, dup2, waitpid, …) from TypeScript in JupyterLab, one mechanism per chapter, following a Korean lecture on IPC.</p>
${first ? `<p class="hero-actions"><a class="button primary" href="${pageOf(first)}">Start reading</a> <a class="button" href="#running-the-notebooks">Run the notebooks</a></p>` : ""}
</section>
${heading(HEADINGS[0]!, "강의 순서")}
<p>The chapters follow the lecture's order. Each one is a notebook whose outputs were stored when it last ran.</p>
${courseMap(chapters)}
${heading(HEADINGS[1]!, "IPC 모델")}
<p>The lecture divides IPC into two basic models. The difference is who moves the data: the processes themselves, through memory they share, or the kernel, one message at a time.</p>
<div class="models">${MODELS.map((model, i) => modelCard(model, chapters, i === 0 ? sharedMemoryDiagram() : messagePassingDiagram())).join("")}</div>
<p>Sockets also reach other machines, and the last part of the lecture builds remote procedure calls (<span lang="ko">원격 프로시저 호출</span>, RPC) on them: stubs, marshalling, byte order.</p>
${heading(HEADINGS[2]!)}
<ol class="steps">
<li><p>Clone the course repository and install. This builds the native addon that makes the system calls and installs the TypeScript kernel (tslab):</p>${highlighter.highlight("npm install", "shellscript")}</li>
<li><p>Start JupyterLab on the notebooks, then open a chapter and run its cells in order:</p>${highlighter.highlight("npm start", "shellscript")}</li>
<li><p>Run the course's tests, which check the library and every notebook:</p>${highlighter.highlight("npm test", "shellscript")}</li>
</ol>
<p>Linux is required: the chapters use POSIX shared memory, FIFOs, message queues and semaphores as Linux provides them. Each chapter page also has a download link for its notebook.</p>`;
  return page({
    title: SITE.title,
    description: SITE.description,
    current: undefined,
    chapters,
    headings: HEADINGS,
    article,
    pager: pager(undefined, first),
    hasMath: false,
  });
}

function courseMap(chapters: Chapter[]): string {
  if (chapters.length === 0) return "<p>No chapters yet.</p>";
  const items = chapters.map((chapter) => {
    const mechanism = mechanismOf(chapter.slug);
    const summary = chapterSummary(chapter.notebook);
    return `<li class="chapter-card"><a href="${pageOf(chapter)}">
<span class="num">${String(chapter.number).padStart(2, "0")}</span>
<span class="card-body"><span class="card-title">${markKorean(chapter.shortTitle)}</span>${
      mechanism ? ` <span class="tag ${mechanism.model}" lang="ko">${mechanism.ko}</span>` : ""
    }${summary ? `<span class="card-summary">${markKorean(summary)}</span>` : ""}</span></a></li>`;
  });
  return `<ol class="course-map">${items.join("\n")}</ol>`;
}

function modelCard(model: (typeof MODELS)[number], chapters: Chapter[], diagram: string): string {
  const members = model.members.map((name) => {
    const chapter = chapters.find((c) => mechanismOf(c.slug)?.en === name);
    const label = escapeHtml(name);
    return `<li>${chapter ? `<a href="${pageOf(chapter)}">${label}</a>` : label}</li>`;
  });
  return `<figure class="model ${model.id}">
${diagram}
<figcaption><strong>${model.en}</strong> <span lang="ko">${model.ko}</span></figcaption>
<p>${model.summary}</p>
<ul class="members">${members.join("")}</ul>
</figure>`;
}
