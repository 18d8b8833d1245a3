// The built site in a real browser (Debian's Chromium, driven by
// playwright-core), which the suite's global setup installs if needed. The
// test builds the site from the real notebooks and serves it on an ephemeral
// local port.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { build, type BuildResult } from "../site/src/build.ts";
import { serveStatic, type StaticServer } from "../site/src/server.ts";

const ROOT = join(import.meta.dirname, "..");
const SHOTS = join(ROOT, "test-results", "site");
const CHROMIUM = "/usr/bin/chromium";
// Launches CHROMIUM under a subreaper that reaps its helpers (see the file).
const REAPER = join(ROOT, "test", "fixtures", "site", "chromium-reaper.py");
// Without these, Chromium stalls on this closed network (update checks, QUIC).
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
const DESKTOP: BrowserContextOptions = {
  viewport: { width: 1400, height: 1000 },
  colorScheme: "light",
};

let work: string;
let site: BuildResult;
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "site-browser-"));
  await mkdir(SHOTS, { recursive: true });
  site = await build({ outDir: join(work, "dist"), log: () => {} });
  server = await serveStatic(site.outDir);
  // launch() gives each run a fresh, temporary profile directory.
  browser = await chromium.launch({
    executablePath: REAPER,
    args: ARGS,
    env: { ...process.env, CHROMIUM },
  });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A page in a new context that records every console error, page error and failed request. */
async function open(options: BrowserContextOptions = DESKTOP) {
  const context = await browser.newContext({ ...options, baseURL: server.url });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => {
    // Navigating away cancels requests still in flight (the favicon, say): not a fault.
    if (r.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`requestfailed: ${r.url()}`);
  });
  page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  return { context, page, problems };
}

const firstChapter = () => site.chapters[0]!;
const shot = (page: Page, name: string, fullPage = false) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage, animations: "disabled" });
// Code run in the page is passed as strings: the project's TypeScript has no DOM lib.
const backgroundOf = (page: Page) =>
  page.evaluate<string>("getComputedStyle(document.body).backgroundColor");

test("every page loads with no console errors, failed requests or missing images", async () => {
  const { context, page, problems } = await open();
  for (const name of site.pages) {
    await page.goto(name, { waitUntil: "load" });
    await page.waitForSelector("main article h1");
    const brokenImages = await page.$$eval("img", (imgs) =>
      imgs.filter((img) => img.complete && img.naturalWidth === 0).map((img) => img.src),
    );
    expect(brokenImages, name).toEqual([]);
  }
  expect(problems).toEqual([]);
  await context.close();
}, 60_000);

describe("screenshots", () => {
  test("a chapter page in light and dark mode and on a phone, and the home page", async () => {
    const chapter = `${firstChapter().slug}.html`;
    for (const [name, options] of [
      ["chapter-light", DESKTOP],
      ["chapter-dark", { ...DESKTOP, colorScheme: "dark" }],
      ["chapter-phone", PHONE],
      ["home-light", DESKTOP],
    ] as const) {
      const { context, page, problems } = await open(options);
      await page.goto(name.startsWith("home") ? "index.html" : chapter);
      await page.waitForSelector("main article h1");
      const dark = name.endsWith("dark");
      expect(await backgroundOf(page)).toBe(dark ? "rgb(15, 20, 25)" : "rgb(255, 255, 255)");
      await shot(page, name);
      await shot(page, `${name}-full`, true);
      expect(problems).toEqual([]);
      await context.close();
    }
  }, 60_000);
});

test("search finds a term from a chapter and lands on it", async () => {
  // A heading of the last chapter: its section must be found by its own words.
  const chapter = site.chapters.at(-1)!;
  const { context, page, problems } = await open();
  await page.goto(`${chapter.slug}.html`);
  // The first heading in plain words (no Korean gloss or punctuation a reader would not type).
  const target = await page.$$eval("article h2[id]", (headings) =>
    headings
      .map((h) => ({ id: h.id, text: h.childNodes[0]!.textContent!.trim() }))
      .find((h) => /^[A-Za-z][\w\s'-]+$/.test(h.text) && h.text.split(/\s+/).length >= 3),
  );
  expect(target, "a heading in plain words").toBeDefined();
  await page.goto("index.html");
  await page.keyboard.press("/");
  await page.keyboard.type(target!.text);
  const result = page.locator(`#search-results a[href="${chapter.slug}.html#${target!.id}"]`);
  await result.first().waitFor();
  await shot(page, "search-results");
  await result.first().click();
  await page.waitForURL(`**/${chapter.slug}.html#${target!.id}`);
  await expect
    .poll(() =>
      page.$eval(`[id="${target!.id}"]`, (el) => {
        const box = el.getBoundingClientRect();
        return (
          el.matches(":target") &&
          box.top >= 0 &&
          box.bottom <= el.ownerDocument.documentElement.clientHeight
        );
      }),
    )
    .toBe(true);
  expect(problems).toEqual([]);
  await context.close();
}, 30_000);

test("search says so when nothing matches", async () => {
  const { context, page } = await open();
  await page.goto("index.html");
  await page.fill("#search-input", "zzqxjv");
  await expect.poll(() => page.textContent("#search-results")).toContain("No results");
  await context.close();
}, 30_000);

test("the dark-mode toggle persists across pages and overrides the system", async () => {
  const { context, page, problems } = await open({ ...DESKTOP, colorScheme: "light" });
  await page.goto("index.html");
  expect(await backgroundOf(page)).toBe("rgb(255, 255, 255)");
  await page.click(".theme-toggle");
  await expect.poll(() => backgroundOf(page)).toBe("rgb(15, 20, 25)");
  expect(await page.getAttribute(".theme-toggle", "aria-pressed")).toBe("true");

  await page.click(`.sidebar a[href="${firstChapter().slug}.html"]`);
  await page.waitForURL(`**/${firstChapter().slug}.html`);
  expect(await page.getAttribute("html", "data-theme")).toBe("dark");
  expect(await backgroundOf(page)).toBe("rgb(15, 20, 25)");

  await page.click(".theme-toggle");
  await page.reload();
  expect(await page.getAttribute("html", "data-theme")).toBe("light");
  expect(await backgroundOf(page)).toBe("rgb(255, 255, 255)");
  expect(problems).toEqual([]);
  await context.close();
}, 30_000);

test("the sidebar and prev/next links walk the chapters in order", async () => {
  const { context, page, problems } = await open();
  await page.goto("index.html");
  const sidebar = await page.$$eval(".sidebar ol a", (links) =>
    links.map((a) => a.getAttribute("href")),
  );
  expect(sidebar).toEqual(site.chapters.map((c) => `${c.slug}.html`));

  for (const chapter of site.chapters) {
    await page.click(".pager a.next");
    await page.waitForURL(`**/${chapter.slug}.html`);
    expect(await page.getAttribute(`.sidebar a[href="${chapter.slug}.html"]`, "aria-current")).toBe(
      "page",
    );
  }
  expect(await page.$(".pager a.next")).toBeNull();
  for (const chapter of [...site.chapters].reverse().slice(1)) {
    await page.click(".pager a.prev");
    await page.waitForURL(`**/${chapter.slug}.html`);
  }
  await page.click(".pager a.prev");
  await page.waitForURL("**/index.html");
  expect(problems).toEqual([]);
  await context.close();
}, 30_000);

test("the in-page table of contents links to the page's sections", async () => {
  const { context, page } = await open();
  await page.goto(`${firstChapter().slug}.html`);
  const links = page.locator("aside.toc a");
  const count = await links.count();
  expect(count).toBeGreaterThan(0);
  const last = links.nth(count - 1);
  const href = (await last.getAttribute("href"))!;
  await last.click();
  await page.waitForURL(`**/${firstChapter().slug}.html${href}`);
  await expect
    .poll(() => page.$eval(`[id="${href.slice(1)}"]`, (el) => el.matches(":target")))
    .toBe(true);
  // Scrolled there, the contents mark that section as the one being read.
  await expect
    .poll(() => page.getAttribute(`aside.toc a[href="${href}"]`, "aria-current"))
    .toBe("");
  await context.close();
}, 30_000);

test("the print stylesheet keeps the article and drops the navigation", async () => {
  const { context, page } = await open({ ...DESKTOP, colorScheme: "dark" });
  await page.goto(`${firstChapter().slug}.html`);
  await page.emulateMedia({ media: "print" });
  expect(await page.isVisible("main article h1")).toBe(true);
  for (const chrome of [".topbar", ".sidebar", "aside.toc", ".pager", ".chapter-tools"]) {
    expect(await page.isVisible(chrome), chrome).toBe(false);
  }
  // Printed in black on white even when the screen is dark.
  expect(await backgroundOf(page)).toBe("rgb(255, 255, 255)");
  await page.pdf({ path: join(SHOTS, "chapter-print.pdf") });
  await context.close();
}, 30_000);

test("a copy button copies the code of its block", async () => {
  const { context, page } = await open();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  await page.goto(`${firstChapter().slug}.html`);
  const block = page.locator(".cell.code .code-block").first();
  await block.hover();
  await block.locator("button.copy").click();
  await expect.poll(() => block.locator("button.copy").textContent()).toBe("Copied");
  const copied = await page.evaluate<string>("navigator.clipboard.readText()");
  expect(copied).toBe((await block.locator("code").innerText()).replace(/\n$/, ""));
  await context.close();
}, 30_000);

test("a phone-sized viewport has no horizontal scroll, and the menu opens the chapters", async () => {
  const { context, page, problems } = await open(PHONE);
  for (const name of site.pages) {
    await page.goto(name);
    const [scroll, client] = await page.evaluate<[number, number]>(
      "[document.documentElement.scrollWidth, document.documentElement.clientWidth]",
    );
    expect(scroll, name).toBeLessThanOrEqual(client);
  }
  await page.goto("index.html");
  const link = page.locator(`.sidebar a[href="${firstChapter().slug}.html"]`);
  expect(await link.isVisible()).toBe(false);
  await page.click(".nav-button");
  await link.waitFor({ state: "visible" });
  await shot(page, "phone-menu");
  await link.click();
  await page.waitForURL(`**/${firstChapter().slug}.html`);
  expect(problems).toEqual([]);
  await context.close();
}, 60_000);

test("pages are readable without JavaScript", async () => {
  const { context, page } = await open({ ...DESKTOP, javaScriptEnabled: false });
  await page.goto(`${firstChapter().slug}.html`);
  expect(await page.isVisible("main article h1")).toBe(true);
  expect(await page.isVisible(".sidebar")).toBe(true);
  expect(await page.isVisible("aside.toc")).toBe(true);
  // Search and the theme toggle need JavaScript, so they are not offered.
  expect(await page.isVisible(".search")).toBe(false);
  expect(await page.isVisible(".theme-toggle")).toBe(false);
  expect(await page.locator(".cell.code pre.shiki").count()).toBeGreaterThan(0);
  await shot(page, "chapter-no-js");
  await context.close();
}, 30_000);

test("Korean text is marked lang=ko and drawn with a Hangul font", async () => {
  const { context, page } = await open();
  await page.goto("index.html");
  const ko = page.locator('[lang="ko"]').first();
  expect(await ko.textContent()).toMatch(/[\uac00-\ud7af]/);
  // Ask Chromium which installed font actually drew the Hangul glyphs.
  const cdp = await context.newCDPSession(page);
  await cdp.send("DOM.enable");
  await cdp.send("CSS.enable");
  const { root } = await cdp.send("DOM.getDocument");
  const { nodeId } = await cdp.send("DOM.querySelector", {
    nodeId: root.nodeId,
    selector: '.hero h1 [lang="ko"]',
  });
  const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
  expect(fonts).toContainEqual(
    expect.objectContaining({ familyName: expect.stringMatching(/Noto Sans (CJK )?KR/) }),
  );
  await context.close();
}, 30_000);
