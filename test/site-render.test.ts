// Renderer fixtures: a notebook in, HTML out, for every output kind the
// course's notebooks produce (see test/fixtures/site/00-every-output.ipynb).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { createCodeHighlighter, type CodeHighlighter } from "../site/src/highlight.ts";
import { chapterTitle, discoverChapters, parseNotebook } from "../site/src/notebook/discover.ts";
import type { Notebook } from "../shared/notebook/format.ts";
import { ansiToHtml } from "../site/src/render/ansi.ts";
import { createNotebookRenderer } from "../site/src/render/index.ts";

const FIXTURES = join(import.meta.dirname, "fixtures", "site");

let highlighter: CodeHighlighter;
let fixture: Notebook;
let html: string;
let assets: Map<string, Buffer>;

beforeAll(async () => {
  highlighter = await createCodeHighlighter();
  fixture = parseNotebook(await readFile(join(FIXTURES, "00-every-output.ipynb"), "utf8"));
  const render = createNotebookRenderer(highlighter, {
    trusted: true,
    chapters: ["00-every-output", "02-pipes"],
  });
  const result = render(fixture);
  html = result.html;
  assets = result.env.assets.files;
}, 30_000);

/** A one-cell notebook, for outputs the main fixture does not need to carry. */
function notebookWith(cells: Notebook["cells"]): Notebook {
  return { nbformat: 4, nbformat_minor: 5, metadata: {}, cells };
}

// The expected HTML is stored as .snap so the formatter leaves it byte for byte.
test("the whole fixture notebook renders to the stored HTML", async () => {
  await expect(html).toMatchFileSnapshot(join(FIXTURES, "00-every-output.html.snap"));
});

describe("streams", () => {
  test("consecutive stdout writes merge into one block", () => {
    const blocks = html.match(/<pre class="output stream stdout">[\s\S]*?<\/pre>/g) ?? [];
    expect(blocks[0]).toContain("hello\n");
    expect(blocks[0]).toContain("more &lt;stdout&gt; &amp; merged");
  });

  test("ANSI colours become theme classes, 256 colours inline styles", () => {
    expect(html).toContain('<span class="ansi-red-fg">red</span>');
    expect(html).toContain('<span class="ansi-green-fg ansi-bold">bold green</span>');
    expect(html).toContain('<span style="color:rgb(255,135,0)">orange</span>');
    expect(html).not.toContain("\u001b");
  });

  test("stderr is its own block, labelled for screen readers", () => {
    expect(html).toMatch(
      /<pre class="output stream stderr" aria-label="standard error">warning: <span class="ansi-yellow-fg">careful<\/span>/,
    );
  });

  test("empty stream writes leave no empty block", () => {
    const { html } = createNotebookRenderer(highlighter, { trusted: true })(
      notebookWith([
        {
          cell_type: "code",
          source: "x",
          outputs: [{ output_type: "stream", name: "stderr", text: "" }],
        },
      ]),
    );
    expect(html).not.toContain("stderr");
  });
});

test("an error shows its traceback with colours", () => {
  expect(html).toContain('<pre class="output error" role="alert" data-ename="Error">');
  expect(html).toContain(
    '<span class="ansi-red-fg">Error</span>: boom\n    at &lt;anonymous&gt;:1:7',
  );
});

test("an error without a traceback shows ename: evalue", () => {
  const { html } = createNotebookRenderer(highlighter, { trusted: true })(
    notebookWith([
      {
        cell_type: "code",
        source: "x",
        outputs: [
          {
            output_type: "error",
            ename: "TypeError",
            evalue: "x is not a function",
            traceback: [],
          },
        ],
      },
    ]),
  );
  expect(html).toContain(">TypeError: x is not a function</pre>");
});

describe("rich display data", () => {
  test("HTML from the course's own notebooks is published as is", () => {
    expect(html).toContain(
      '<div class="output html"><table class="demo"><tr><td>html output</td></tr></table></div>',
    );
  });

  test("HTML from an untrusted notebook is sanitised", () => {
    const { html } = createNotebookRenderer(highlighter, { trusted: false })(
      notebookWith([
        {
          cell_type: "code",
          source: "x",
          outputs: [
            {
              output_type: "display_data",
              data: { "text/html": '<b onclick="steal()">hi</b><script>steal()</script>' },
            },
          ],
        },
      ]),
    );
    expect(html).toContain('<div class="output html"><b>hi</b></div>');
  });

  test("SVG and PNG become image files, with alt text from text/plain and the stored size", () => {
    const svg = [...assets].find(([path]) => path.endsWith(".svg"));
    const png = [...assets].find(([path]) => path.endsWith(".png"));
    expect(svg?.[1].toString()).toContain('<circle cx="10"');
    expect(png?.[1].subarray(1, 4).toString()).toBe("PNG");
    expect(html).toContain(`<img src="${svg?.[0]}" alt="a teal circle" loading="lazy">`);
    expect(html).toContain(
      `<img src="${png?.[0]}" alt="one pixel" width="40" height="40" loading="lazy">`,
    );
  });

  test("Markdown output is rendered as Markdown", () => {
    expect(html).toContain(
      '<div class="output markdown"><p><strong>Markdown</strong> output with <span lang="ko">세마포어</span></p>',
    );
  });

  test("plain text is escaped, JSON pretty-printed", () => {
    expect(html).toContain('<pre class="output text">{ name: &#39;/demo&#39;, size: 4096 }</pre>');
    expect(html).toContain('<pre class="output json">{\n  &quot;a&quot;: 1\n}</pre>');
  });

  test("the richest MIME type wins over text/plain", () => {
    expect(html).not.toContain("&lt;HTML&gt;");
  });
});

describe("code cells", () => {
  test("TypeScript is highlighted at build time", () => {
    expect(html).toMatch(
      /<div class="input"><pre class="shiki [^"]*"><code><span class="line"><span class="s\w+">import<\/span>/,
    );
    // Text in the theme's default colour carries no span of its own.
    expect(html).toMatch(/<span class="line">console\.<span class="s\w+">log<\/span>\(/);
    expect(highlighter.css()).toMatch(
      /\.s\w+\{--shiki-light:#[0-9A-F]{6};--shiki-dark:#[0-9A-F]{6}\}/i,
    );
  });

  test("hide-input folds the code behind a <details> that works without JavaScript", () => {
    const { html } = createNotebookRenderer(highlighter, { trusted: true })(
      notebookWith([
        {
          cell_type: "code",
          source: "setup()",
          metadata: { tags: ["hide-input"] },
          outputs: [{ output_type: "stream", name: "stdout", text: "ready\n" }],
        },
      ]),
    );
    expect(html).toMatch(
      /^<div class="cell code"><details class="fold"><summary>Show code<\/summary><div class="input">/,
    );
    expect(html).toContain(
      '</details><div class="outputs"><pre class="output stream stdout">ready',
    );
  });

  test("remove-input keeps the output, remove-cell drops everything", () => {
    expect(html).toContain(
      '<div class="cell code"><div class="outputs"><pre class="output stream stdout">only output',
    );
    expect(html).not.toContain("hidden input");
    expect(html).not.toContain("secret()");
  });
});

describe("Markdown cells", () => {
  test("headings get permalinks and ids unique across cells", () => {
    expect(html).toContain(
      '<h2 id="tables-and-lists">Tables and lists <a class="anchor" href="#tables-and-lists" aria-hidden="true">#</a></h2>',
    );
    const { html: twice } = createNotebookRenderer(highlighter, { trusted: true })(
      notebookWith([
        { cell_type: "markdown", source: "## Setup" },
        { cell_type: "markdown", source: "## Setup\n\n## 공유 메모리" },
      ]),
    );
    expect(twice).toContain('id="setup"');
    expect(twice).toContain('id="setup-1"');
    expect(twice).toContain('id="공유-메모리"');
  });

  test("tables keep their alignment and scroll on their own", () => {
    expect(html).toContain('<div class="table-wrap">\n<table>');
    expect(html).toContain('<th style="text-align:center"><span lang="ko">한국어</span></th>');
  });

  test("Korean text is marked lang=ko", () => {
    expect(html).toContain('<span lang="ko">공유 메모리</span> (shared memory)');
  });

  test("raw HTML is sanitised", () => {
    const section = html.slice(
      html.indexOf('id="raw-html"'),
      html.indexOf('<div class="cell code">'),
    );
    expect(section).not.toMatch(/<script|onerror|onclick|javascript:|<iframe|position:fixed/);
    expect(section).toContain("<kbd>Ctrl</kbd>+<kbd>C</kbd>");
    expect(section).toContain("<a>bad link</a>");
    // Code fenced after the raw HTML still comes out highlighted.
    expect(section).toMatch(/<pre class="shiki[^"]*"><code>.*shm_open/);
  });

  test("callouts in GitHub, MyST and Quarto syntax become admonitions", () => {
    expect(html).toContain(
      '<div class="admonition warning" role="note">\n<p class="admonition-title">Warning</p>\n<p>Always call <code>shm_unlink</code>.</p>',
    );
    expect(html).toContain(
      '<div class="admonition tip" role="note">\n<p class="admonition-title">Remember</p>',
    );
    expect(html).toContain(
      '<p class="admonition-title">Note</p>\n<p>A MyST note with <code>code</code>.</p>',
    );
    expect(html).toContain(
      '<div class="admonition important" role="note">\n<p class="admonition-title">Important</p>',
    );
  });

  test("math is typeset by KaTeX at build time; prices are not math", () => {
    expect(html).toMatch(
      /Inline <span class="katex">.*<annotation encoding="application\/x-tex">a\^2 \+ b\^2<\/annotation>/,
    );
    expect(html).toContain('<div class="math-display"><span class="katex-display">');
    expect(html).toContain("and a price of $5 and $6.");
  });

  test("links to other notebooks point at their pages; repository paths become text", () => {
    expect(html).toContain('<a href="02-pipes.html#fork">link to pipes</a>');
    expect(html).toContain(
      '<span class="repo-path" title="../lib/shm.ts in the course repository">a repo file</span>',
    );
  });

  test("attachments are written as image files", () => {
    expect(html).toMatch(/<img src="assets\/img\/\w+\.png" alt="diagram" loading="lazy"/);
  });
});

describe("ANSI", () => {
  test("truecolour, inverse and a reset in one line", () => {
    expect(ansiToHtml("\u001b[38;2;1;2;3mrgb\u001b[0m \u001b[7minv\u001b[27m plain")).toBe(
      '<span style="color:rgb(1,2,3)">rgb</span> <span class="ansi-default-inverse-fg ansi-default-inverse-bg">inv</span> plain',
    );
  });

  test("a carriage return overwrites the line, as in a terminal", () => {
    expect(ansiToHtml("10%\r50%\r100%\ndone\r\n")).toBe("100%\ndone\n");
  });

  test("cursor movement codes are dropped", () => {
    expect(ansiToHtml("a\u001b[2Kb\u001b[1A")).toBe("ab");
  });
});

describe("notebook discovery", () => {
  test("chapters are NN-*.ipynb in number order, titled by their first # heading", async () => {
    const chapters = await discoverChapters(FIXTURES);
    expect(chapters.map((c) => [c.number, c.slug, c.title])).toEqual([
      [0, "00-every-output", "Every output kind"],
      [2, "02-pipes", "Pipes and fork"],
    ]);
  });

  test("a # comment in a fenced block is not the title", () => {
    expect(
      chapterTitle(
        notebookWith([{ cell_type: "markdown", source: "```sh\n# run me\n```\n\n# Real title" }]),
      ),
    ).toBe("Real title");
  });

  test("the leading chapter number is dropped from the short title", async () => {
    const dir = await mkdtemp(join(tmpdir(), "site-discover-"));
    try {
      const nb = notebookWith([{ cell_type: "markdown", source: "# 03 · Named pipes (FIFO)" }]);
      await writeFile(join(dir, "03-fifo.ipynb"), JSON.stringify(nb));
      await writeFile(join(dir, "notes.ipynb"), JSON.stringify(nb));
      const [chapter, ...rest] = await discoverChapters(dir);
      expect(rest).toEqual([]);
      expect(chapter).toMatchObject({
        title: "03 · Named pipes (FIFO)",
        shortTitle: "Named pipes (FIFO)",
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a notebook that is not nbformat 4 is refused with its path", () => {
    expect(() => parseNotebook('{"cells": []}', "bad.ipynb")).toThrow(
      /bad\.ipynb: expected an nbformat 4 notebook/,
    );
  });
});
