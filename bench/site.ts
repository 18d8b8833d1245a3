// npm run bench -- site: how long `npm run site` takes and how heavy a page is.
// Goals (issue 5): the whole site builds in < 10 s; a chapter page weighs
// < 150 KB before images (its HTML plus the CSS and JS it loads up front; the
// search index loads only on demand and is reported separately).
import { spawnSync } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const GOAL_SECONDS = 10;
const GOAL_PAGE_KB = 150;
const COPIES = 10; // a full course: the real chapters repeated to ten notebooks

/** Wall time of a cold `tsx site/src/build.ts`, as a reader of the docs would run it. */
function timeBuild(notebooks: string, out: string): number {
  const start = performance.now();
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", "site/src/build.ts", "--notebooks", notebooks, "--out", out],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  if (run.status !== 0) throw new Error(`site build failed:\n${run.stderr}`);
  return (performance.now() - start) / 1000;
}

/** Bytes a first visit downloads before images: the HTML and its stylesheets and scripts. */
async function pageWeight(dir: string, name: string): Promise<{ html: number; total: number }> {
  const html = await readFile(join(dir, name), "utf8");
  const urls = [
    ...html.matchAll(/<(?:link rel="stylesheet" href|script type="module" src)="([^"]+)"/g),
  ].map((m) => m[1]!);
  let total = Buffer.byteLength(html);
  for (const url of urls) total += (await stat(join(dir, url))).size;
  return { html: Buffer.byteLength(html), total };
}

const kb = (bytes: number) => bytes / 1024;
const work = await mkdtemp(join(tmpdir(), "bench-site-"));
try {
  const notebooks = join(ROOT, "notebooks");
  const real = (await readdir(notebooks)).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort();

  const seconds = timeBuild(notebooks, join(work, "real"));
  const pages = (await readdir(join(work, "real"))).filter((f) => f.endsWith(".html"));
  const weights = await Promise.all(
    pages.map(async (p) => ({ page: p, ...(await pageWeight(join(work, "real"), p)) })),
  );
  weights.sort((a, b) => b.total - a.total);
  const index = (await stat(join(work, "real", "search-index.json"))).size;

  // The same chapters ten times over, to see how the build scales to the full course.
  const scaled = join(work, "scaled-notebooks");
  await cp(notebooks, scaled, { recursive: true });
  for (let i = 0; i < COPIES - real.length; i++) {
    const source = real[i % real.length]!;
    await cp(
      join(notebooks, source),
      join(scaled, `${String(50 + i).padStart(2, "0")}-copy-${i}.ipynb`),
    );
  }
  const scaledSeconds = timeBuild(scaled, join(work, "scaled"));

  console.log(`site build: ${real.length} chapter(s) + home page`);
  console.log(
    `  build (cold process)          ${seconds.toFixed(2)} s   ${((seconds / GOAL_SECONDS) * 100).toFixed(0)}% of the ${GOAL_SECONDS} s goal`,
  );
  console.log(
    `  build with ${COPIES} chapters        ${scaledSeconds.toFixed(2)} s   ${((scaledSeconds / GOAL_SECONDS) * 100).toFixed(0)}% of the goal, ${(scaledSeconds / seconds).toFixed(2)}x the real build`,
  );
  console.log(`  search index (on demand)      ${kb(index).toFixed(1)} KB`);
  console.log("  page weights (HTML + CSS + JS loaded up front, before images):");
  for (const w of weights) {
    console.log(
      `    ${w.page.padEnd(36)} ${kb(w.total).toFixed(1).padStart(7)} KB  (HTML ${kb(w.html).toFixed(1)} KB, ${((kb(w.total) / GOAL_PAGE_KB) * 100).toFixed(0)}% of ${GOAL_PAGE_KB} KB)`,
    );
  }
  const largest = weights[0]!;
  console.log(
    `site.build seconds=${seconds.toFixed(2)} largest_page_kb=${kb(largest.total).toFixed(1)} page=${largest.page}`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
