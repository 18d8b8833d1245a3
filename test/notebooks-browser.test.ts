// Every chapter as a student runs it: JupyterLab in a real browser (Debian's
// Chromium, driven by playwright-core), the menu Run → Run All Cells, and
// then every code cell must have run (an execution count) and none may show
// an error. JupyterLab's Run All stops at the first cell whose reply is an
// error, so one deliberately failing cell would leave the rest unrun.
// The server works on a fresh copy of the notebooks, so the repository is
// never modified; every kernel is shut down over REST and none may be left.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { withChapterLock } from "./fixtures/chapter-lock.ts";
import { afterAll, beforeAll, expect, test } from "vitest";
import { jupyterEnv, venvBin } from "../shared/jupyter.mjs";
import { chapterNames } from "../shared/notebook/chapters.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const CHROMIUM = "/usr/bin/chromium";
// Launches CHROMIUM under a subreaper that reaps its helpers (see the file).
const REAPER = path.join(ROOT, "test", "fixtures", "site", "chromium-reaper.py");
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
/** The notebook in the visible tab. */
const NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook";
const TOKEN = randomBytes(16).toString("hex");
/** A fixture notebook: the panel redrawn in place while a later cell closes a pipe end. */
const PANEL_LIVE = "panel-live.ipynb";
/** Each test's last screenshot, for a failure's reader (test-results/ is git-ignored). */
const SHOTS = path.join(ROOT, "test-results", "notebooks-browser");

const chapters = await chapterNames(path.join(ROOT, "notebooks"));
let work: string;
let server: ChildProcess | undefined;
let base: string;
let browser: Browser;
let log = "";

async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as net.AddressInfo;
  probe.close();
  return port;
}

/** The Jupyter REST API, authenticated with this run's token. */
async function api(route: string, method = "GET"): Promise<unknown> {
  const response = await fetch(`${base}/api/${route}`, {
    method,
    headers: { Authorization: `token ${TOKEN}` },
  });
  if (!response.ok) throw new Error(`${method} /api/${route}: HTTP ${response.status}`);
  return response.status === 204 ? undefined : response.json();
}

interface KernelModel {
  id: string;
  execution_state: string;
}
const kernels = () => api("kernels") as Promise<KernelModel[]>;

async function shutDownKernels(): Promise<void> {
  for (const kernel of await kernels()) await api(`kernels/${kernel.id}`, "DELETE");
}

/** Resolves once the server answers /api/status, or rejects if it exits first. */
async function serverUp(child: ChildProcess): Promise<void> {
  let exited = false;
  child.once("exit", () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`jupyter lab exited:\n${log}`);
    try {
      await api("status");
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "ipc-lab-nb-browser-"));
  await mkdir(SHOTS, { recursive: true });
  const notebooks = path.join(work, "notebooks");
  await mkdir(notebooks);
  for (const name of chapters)
    await cp(path.join(ROOT, "notebooks", name), path.join(notebooks, name));
  await cp(
    path.join(ROOT, "test", "fixtures", "notebooks", PANEL_LIVE),
    path.join(notebooks, PANEL_LIVE),
  );
  // Figures, and the stubs chapter 09 generated from its .x file and imports.
  for (const dir of ["figures", "generated"])
    await cp(path.join(ROOT, "notebooks", dir), path.join(notebooks, dir), { recursive: true });
  // The kernel resolves `ipc-lab` (and its types) from the notebook's folder upwards.
  await symlink(path.join(ROOT, "node_modules"), path.join(work, "node_modules"));
  // Every cell in the DOM (no windowing), and no news pop-ups over the menu.
  const settings = path.join(work, "settings");
  await mkdir(path.join(settings, "@jupyterlab", "notebook-extension"), { recursive: true });
  await writeFile(
    path.join(settings, "@jupyterlab", "notebook-extension", "tracker.jupyterlab-settings"),
    JSON.stringify({ windowingMode: "none" }),
  );
  await mkdir(path.join(settings, "@jupyterlab", "apputils-extension"), { recursive: true });
  await writeFile(
    path.join(settings, "@jupyterlab", "apputils-extension", "notification.jupyterlab-settings"),
    JSON.stringify({ fetchNews: "false", checkForUpdates: false }),
  );

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const args = [
    "lab",
    "--no-browser",
    "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${port}`,
    "--ServerApp.port_retries=0",
    `--ServerApp.root_dir=${notebooks}`,
    `--IdentityProvider.token=${TOKEN}`,
    `--LabApp.user_settings_dir=${settings}`,
    `--LabApp.workspaces_dir=${path.join(work, "workspaces")}`,
  ];
  if (process.getuid?.() === 0) args.push("--allow-root");
  server = spawn(venvBin("jupyter"), args, {
    cwd: notebooks,
    env: jupyterEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, stopped as a whole
  });
  server.stdout!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  server.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  await serverUp(server);
  browser = await chromium.launch({
    executablePath: REAPER,
    args: ARGS,
    env: { ...process.env, CHROMIUM },
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server?.pid) {
    const closed = once(server, "close");
    process.kill(-server.pid, "SIGTERM");
    await closed;
  }
  if (work) await rm(work, { recursive: true, force: true });
});

/** The kernel of the only open notebook, once it is idle; undefined if none is in time. */
async function idleKernel(within: number): Promise<KernelModel | undefined> {
  for (let waited = 0; waited < within; waited += 250) {
    const [kernel] = await kernels();
    if (kernel?.execution_state === "idle") return kernel;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return undefined;
}

/**
 * Opens a chapter and waits for its kernel. About one tslab start in 30
 * hangs: a kernel that is not idle in 20 s is shut down and the page opened
 * again, once.
 */
async function openChapter(page: Page, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    // A workspace of its own, reset: no tab of an earlier chapter is restored.
    await page.goto(
      `${base}/lab/workspaces/${name.slice(0, 2)}-${attempt}/tree/${name}?reset&token=${TOKEN}`,
    );
    await page
      .locator(".jp-Notebook .jp-Cell")
      .first()
      .waitFor({ state: "attached", timeout: 60_000 });
    if (await idleKernel(20_000)) return;
    await shutDownKernels();
    if (attempt === 2) throw new Error(`${name}: the kernel did not start`);
  }
}

interface CellState {
  source: string;
  prompt: string;
  errors: string[];
  /** Every output's text (its start): what to show when Run All stopped after this cell. */
  outputs: string[];
}

/** Each code cell's first line, its prompt ("[3]:", "[*]:", "[ ]:") and its error outputs. */
function codeCells(page: Page): Promise<CellState[]> {
  return page.$$eval(`${NOTEBOOK} .jp-CodeCell`, (cells) =>
    cells.map((cell) => ({
      source: (cell.querySelector(".jp-InputArea .cm-line")?.textContent ?? "").slice(0, 60),
      prompt: (cell.querySelector(".jp-InputPrompt")?.textContent ?? "").trim(),
      // An error reply or stderr text is rendered with the stderr MIME type.
      errors: [
        ...cell.querySelectorAll(
          '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]',
        ),
      ].map((output) => (output.textContent ?? "").slice(0, 200)),
      outputs: [...cell.querySelectorAll(".jp-OutputArea-output")].map((output) =>
        (output.textContent ?? "").slice(0, 300),
      ),
    })),
  );
}

/** Clicks a menu of JupyterLab's menu bar, then one of its items. */
async function menu(page: Page, title: string, item: string): Promise<void> {
  await page.locator(".lm-MenuBar-itemLabel", { hasText: new RegExp(`^${title}$`) }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: new RegExp(`^${item}$`) }).click();
}

test.each(chapters)(
  "%s runs to its end from Run → Run All Cells, with no error output",
  async (name) =>
    // Not at the same time as notebooks.test.ts runs this chapter: its objects have fixed names.
    withChapterLock(name, async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      try {
        await openChapter(page, name);
        // The stored outputs carry execution counts: clear them, so only this run's count.
        await menu(page, "Edit", "Clear Outputs of All Cells");
        await expect
          .poll(async () => (await codeCells(page)).every((cell) => cell.prompt === "[ ]:"))
          .toBe(true);
        await menu(page, "Run", "Run All Cells");
        // Run All marks every queued cell [*]; done once a cell ran, none is left and the kernel is idle.
        // A cell that never ends, or a kernel that died (JupyterLab restarts it and
        // leaves the queue [*]): the server's log says which.
        const from = log.length;
        try {
          await expect
            .poll(
              async () => {
                const prompts = (await codeCells(page)).map((cell) => cell.prompt);
                const [kernel] = await kernels();
                if (prompts.every((prompt) => prompt === "[ ]:")) return "not started";
                if (prompts.includes("[*]:")) return `running: ${prompts.join(" ")}`;
                return kernel?.execution_state;
              },
              { timeout: 90_000, interval: 500 },
            )
            .toBe("idle");
        } catch (error) {
          const said = log.slice(from).split("\n").slice(-40).join("\n");
          throw new Error(
            `${(error as Error).message}\nJupyter's log meanwhile (last 40 lines):\n${said}`,
            { cause: error },
          );
        }
        const cells = await codeCells(page);
        expect(cells.length).toBeGreaterThan(0);
        const failed = cells.filter((cell) => cell.errors.length > 0);
        expect(failed.map((cell) => `${cell.source}: ${cell.errors.join(" | ")}`)).toEqual([]);
        // Run All stops after a cell whose reply was an error, or when the kernel restarted:
        // name the last cell that ran, with what it printed.
        const first = cells.findIndex((cell) => !/^\[\d+\]:$/.test(cell.prompt));
        const last = cells[first - 1];
        expect(
          first === -1 ? [] : cells.slice(first).map((cell) => `${cell.prompt} ${cell.source}`),
          last &&
            `Run All stopped after "${last.source}", which printed: ${last.outputs.join(" | ")}`,
        ).toEqual([]);
      } finally {
        await page.screenshot({ path: path.join(SHOTS, `${name}.png`) }).catch(() => {});
        await page.close();
        await shutDownKernels();
      }
      expect(await kernels()).toEqual([]);
    }),
  180_000,
);

/** The text of an SVG picture's <text> elements, one line each (entities decoded). */
function svgText(source: string): string {
  const entities: Record<string, string> = {
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&amp;": "&",
  };
  return [...source.matchAll(/<text\b[^>]*>([\s\S]*?)<\/text>/g)]
    .map((m) => m[1]!.replace(/<[^>]+>/g, "").replace(/&(lt|gt|quot|amp);/g, (e) => entities[e]!))
    .join("\n");
}

/**
 * Each code cell's outputs: the text of every SVG picture in them (inline, or
 * the data: URL of an <img>, as JupyterLab shows an image/svg+xml output),
 * and how many outputs the cell has.
 */
async function cellOutputs(page: Page): Promise<{ svg: string[]; outputs: number }[]> {
  const raw = await page.$$eval(`${NOTEBOOK} .jp-CodeCell`, (cells) =>
    cells.map((cell) => ({
      inline: [...cell.querySelectorAll(".jp-OutputArea-output svg")].map((svg) => svg.outerHTML),
      images: [
        ...cell.querySelectorAll('.jp-OutputArea-output img[src^="data:image/svg+xml"]'),
      ].map((img) => img.getAttribute("src") ?? ""),
      outputs: cell.querySelectorAll(".jp-OutputArea-output").length,
    })),
  );
  return raw.map((cell) => ({
    svg: [
      ...cell.inline,
      ...cell.images.map((url) => {
        const data = url.slice(url.indexOf(",") + 1);
        return url.includes(";base64,")
          ? Buffer.from(data, "base64").toString("utf8")
          : decodeURIComponent(data);
      }),
    ].map(svgText),
    outputs: cell.outputs,
  }));
}

/** Runs the code cell at `index` (0-based among code cells) as a student does: click it, Shift+Enter. */
async function runCell(page: Page, index: number): Promise<void> {
  await page.locator(`${NOTEBOOK} .jp-CodeCell`).nth(index).locator(".jp-InputArea").click();
  await page.keyboard.press("Shift+Enter");
  await expect
    .poll(async () => (await codeCells(page))[index]?.prompt, { timeout: 60_000 })
    .toMatch(/^\[\d+\]:$/);
}

test("the panel made in one cell changes in place when a later cell closes the pipe's write end", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const writeEnd = /^fd \d+ write end$/m;
  const readEnd = /^fd \d+ read end$/m;
  try {
    await openChapter(page, PANEL_LIVE);
    await runCell(page, 0);
    // The display made by the first cell, once a redraw has seen the pipe.
    await expect
      .poll(async () => (await cellOutputs(page))[0]?.svg.join("\n"), { timeout: 20_000 })
      .toMatch(writeEnd);
    const before = (await cellOutputs(page))[0]!;
    expect(before.svg).toHaveLength(1);
    expect(before.svg[0]).toMatch(readEnd);
    expect(before.svg[0]).toMatch(/^pipe$/m);
    expect(before.svg[0]).not.toMatch(/no write end open/);

    await runCell(page, 1);
    // The same display, redrawn: the write end is no longer held, the read end still is.
    await expect
      .poll(async () => (await cellOutputs(page))[0]?.svg.join("\n"), { timeout: 20_000 })
      .toMatch(/no write end open: a read sees end of file/);
    const after = await cellOutputs(page);
    expect(after[0]!.svg).toHaveLength(1);
    expect(after[0]!.outputs).toBe(before.outputs);
    expect(after[0]!.svg[0]).not.toMatch(writeEnd);
    expect(after[0]!.svg[0]).toMatch(readEnd);
    expect(after[0]!.svg[0]).not.toBe(before.svg[0]);
    // The closing cell itself shows nothing: the change is in the first cell's picture.
    expect(after[1]!.outputs).toBe(0);

    await runCell(page, 2);
    const errors = (await codeCells(page)).flatMap((cell) => cell.errors);
    expect(errors).toEqual([]);
  } finally {
    await page.screenshot({ path: path.join(SHOTS, "panel-live.png") }).catch(() => {});
    await page.close();
    await shutDownKernels();
  }
  expect(await kernels()).toEqual([]);
}, 180_000);
