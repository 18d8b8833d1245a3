// The built site has no broken internal links or anchors: checked over the
// real notebooks and over the fixture notebooks (which link to each other).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { build, type BuildResult } from "../site/src/build.ts";
import { checkLinks } from "../site/src/check-links.ts";

const quiet = () => {};
let work: string;
let real: BuildResult;
let fixtures: BuildResult;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "site-links-"));
  real = await build({ outDir: join(work, "real"), log: quiet });
  fixtures = await build({
    notebooksDir: join(import.meta.dirname, "fixtures", "site"),
    outDir: join(work, "fixtures"),
    log: quiet,
  });
}, 60_000);

afterAll(() => rm(work, { recursive: true, force: true }));

test("the site built from the course notebooks has no broken links or anchors", async () => {
  const { broken, checked, pages } = await checkLinks(real.outDir);
  expect(broken).toEqual([]);
  expect(pages).toBe(real.chapters.length + 2); // the chapters, the home page, the glossary
  expect(checked).toBeGreaterThan(pages * 10);
});

test("the fixture site, with cross-chapter anchors, math and images, has no broken links", async () => {
  const { broken } = await checkLinks(fixtures.outDir);
  expect(broken).toEqual([]);
  const page = await readFile(join(fixtures.outDir, "02-pipes.html"), "utf8");
  expect(page).toContain('href="00-every-output.html#tables-and-lists"');
});

test("every page links to every chapter and to its own notebook download", async () => {
  for (const chapter of real.chapters) {
    const page = await readFile(join(real.outDir, `${chapter.slug}.html`), "utf8");
    for (const other of real.chapters) expect(page).toContain(`href="${other.slug}.html"`);
    expect(page).toContain(`href="notebooks/${chapter.slug}.ipynb" download`);
  }
});

test("the glossary page renders the course's terms, Korean beside English, and every page links to it", async () => {
  const glossary = await readFile(join(real.outDir, "glossary.html"), "utf8");
  expect(glossary).toContain("<h1");
  expect(glossary).toMatch(/<td>half duplex<\/td><td lang="ko">반이중<\/td>/);
  expect(glossary).toMatch(/<td>one-way, simplex<\/td><td lang="ko">단방향<\/td>/);
  expect(glossary).toContain('href="02-pipes.html"');
  expect(glossary.match(/<tr>/g)?.length).toBeGreaterThan(30);
  for (const name of [
    "index.html",
    "glossary.html",
    ...real.chapters.map((c) => `${c.slug}.html`),
  ]) {
    const page = await readFile(join(real.outDir, name), "utf8");
    expect(page, name).toContain('href="glossary.html"');
  }
});

test("no chapter page shows a stack frame or a path of the machine that ran it", async () => {
  for (const chapter of real.chapters) {
    const page = await readFile(join(real.outDir, `${chapter.slug}.html`), "utf8");
    expect(page, chapter.slug).not.toMatch(/node_modules\/|lib\/dist\/|^\s+at \S+ \(/m);
  }
});

test("the checker reports a missing page and a missing anchor", async () => {
  const page = join(fixtures.outDir, "broken.html");
  await writeFile(
    page,
    '<a href="nowhere.html">x</a><a href="index.html#no-such-id">y</a><a href="#here" id="here">z</a>',
  );
  try {
    const { broken } = await checkLinks(fixtures.outDir);
    expect(broken).toEqual([
      { page: "broken.html", url: "nowhere.html", reason: "no file nowhere.html" },
      {
        page: "broken.html",
        url: "index.html#no-such-id",
        reason: 'no id "no-such-id" in index.html',
      },
    ]);
  } finally {
    await rm(page);
  }
});
