import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createCodeHighlighter } from "./highlight.ts";
import { pageOf } from "./layout/nav.ts";
import { createMarkdown } from "./markdown/create.ts";
import { createPageEnv } from "./markdown/env.ts";
import { discoverChapters, type Chapter } from "./notebook/discover.ts";
import { renderChapterPage } from "./pages/chapter.ts";
import { GLOSSARY_PAGE, renderGlossaryPage } from "./pages/glossary.ts";
import { renderHomePage } from "./pages/home.ts";
import { AssetSink } from "./render/assets.ts";
import { withSystemDarkMode } from "./dark-mode.ts";
import { buildSearchIndex } from "./search/index.ts";
import { extractSections, type Section } from "./search/sections.ts";
import { task, type TaskLog } from "./task.ts";

const SITE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = resolve(SITE_DIR, "..");
const require = createRequire(import.meta.url);

export interface BuildOptions {
  notebooksDir?: string;
  outDir?: string;
  log?: TaskLog;
}

export interface BuildResult {
  outDir: string;
  pages: string[];
  chapters: Chapter[];
  seconds: number;
}

/**
 * Notebooks in, static site out. Pages are written to a fresh staging
 * directory that replaces outDir only when every step has succeeded, so a
 * failed build never leaves a half-written site behind (or deletes the last
 * good one).
 */
export async function build(options: BuildOptions = {}): Promise<BuildResult> {
  const start = performance.now();
  const notebooksDir = resolve(options.notebooksDir ?? join(ROOT, "notebooks"));
  const outDir = resolve(options.outDir ?? join(SITE_DIR, "dist"));
  const log = options.log ?? ((line: string) => console.log(line));
  const staging = `${outDir}.tmp-${process.pid}`;
  const assets = new AssetSink();
  const pages = new Map<string, string>();
  const sections: Section[] = [];
  let hasMath = false;

  try {
    const chapters = await task("reading notebooks", () => discoverChapters(notebooksDir), log);
    const highlighter = await task("loading highlighter", createCodeHighlighter, log);
    const markdown = createMarkdown(highlighter);
    const slugs = new Set(chapters.map((c) => c.slug));

    await task(
      `rendering ${chapters.length} chapters`,
      () => {
        for (const chapter of chapters) {
          // Only the course's own notebooks are built, so their HTML outputs are trusted.
          const env = createPageEnv(slugs, assets, notebooksDir);
          const rendered = renderChapterPage(chapter, chapters, {
            env,
            markdown,
            highlighter,
            trusted: true,
          });
          pages.set(pageOf(chapter), rendered.html);
          sections.push(...extractSections(rendered.article, pageOf(chapter), chapter.title));
          hasMath ||= env.hasMath;
        }
        pages.set("index.html", renderHomePage(chapters, highlighter));
        pages.set(GLOSSARY_PAGE, renderGlossaryPage(chapters));
      },
      log,
    );

    await task(
      "writing pages and assets",
      async () => {
        await rm(staging, { recursive: true, force: true });
        await mkdir(join(staging, "assets", "img"), { recursive: true });
        await mkdir(join(staging, "notebooks"), { recursive: true });
        const writes = [...pages].map(([name, html]) => writeFile(join(staging, name), html));
        for (const [path, data] of assets.files) writes.push(writeFile(join(staging, path), data));
        for (const chapter of chapters)
          writes.push(cp(chapter.path, join(staging, "notebooks", basename(chapter.path))));
        writes.push(writeFile(join(staging, "assets", "code.css"), highlighter.css()));
        await settle(writes);
        await copyClientFiles(staging);
        if (hasMath) await copyKatex(join(staging, "assets", "katex"));
      },
      log,
    );

    await task(
      "building search index",
      () => writeFile(join(staging, "search-index.json"), buildSearchIndex(sections)),
      log,
    );

    await task(
      "publishing",
      async () => {
        await rm(outDir, { recursive: true, force: true });
        await rename(staging, outDir);
      },
      log,
    );

    const seconds = (performance.now() - start) / 1000;
    log(`site: ${pages.size} pages in ${outDir} (${seconds.toFixed(2)} s)`);
    return { outDir, pages: [...pages.keys()], chapters, seconds };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Like Promise.all, but waits for every write, so cleanup never races one. */
async function settle(work: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** The browser side: stylesheet, scripts, and MiniSearch for the lazy search. */
async function copyClientFiles(out: string): Promise<void> {
  const assets = join(out, "assets");
  await settle([
    cp(join(SITE_DIR, "src", "theme"), assets, { recursive: true }).then(async () => {
      const css = join(assets, "style.css");
      await writeFile(css, withSystemDarkMode(await readFile(css, "utf8")));
    }),
    cp(join(SITE_DIR, "src", "client"), assets, { recursive: true }),
    // The ES module build, which the browser imports as it is. (Found from the
    // CommonJS entry: import.meta.resolve is not available under vitest.)
    cp(
      join(dirname(require.resolve("minisearch")), "..", "es", "index.js"),
      join(assets, "minisearch.js"),
    ),
  ]);
}

/** KaTeX's stylesheet and its woff2 fonts (every browser that runs the site reads woff2). */
async function copyKatex(out: string): Promise<void> {
  const dist = join(dirname(require.resolve("katex/package.json")), "dist");
  await mkdir(join(out, "fonts"), { recursive: true });
  const fonts = (await readdir(join(dist, "fonts"))).filter((f) => f.endsWith(".woff2"));
  await settle([
    cp(join(dist, "katex.min.css"), join(out, "katex.min.css")),
    ...fonts.map((f) => cp(join(dist, "fonts", f), join(out, "fonts", f))),
  ]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  // tsx site/src/build.ts [--notebooks DIR] [--out DIR]
  const flag = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  build({ notebooksDir: flag("--notebooks"), outDir: flag("--out") }).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
