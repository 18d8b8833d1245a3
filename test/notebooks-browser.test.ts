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
  const notebooks = path.join(work, "notebooks");
  await mkdir(notebooks);
  for (const name of chapters)
    await cp(path.join(ROOT, "notebooks", name), path.join(notebooks, name));
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
    await page.waitForTimeout(8000);
    await page.screenshot({ path: "/tmp/nbshot.png" });
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
  async (name) => {
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
      const cells = await codeCells(page);
      expect(cells.length).toBeGreaterThan(0);
      const unrun = cells.filter((cell) => !/^\[\d+\]:$/.test(cell.prompt));
      expect(unrun.map((cell) => `${cell.prompt} ${cell.source}`)).toEqual([]);
      const failed = cells.filter((cell) => cell.errors.length > 0);
      expect(failed.map((cell) => `${cell.source}: ${cell.errors.join(" | ")}`)).toEqual([]);
    } finally {
      await page
        .screenshot({ path: path.join(work, "..", `nb-browser-${name}.png`) })
        .catch(() => {});
      await page.close();
      await shutDownKernels();
    }
    expect(await kernels()).toEqual([]);
  },
  180_000,
);
