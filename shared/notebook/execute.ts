/**
 * Runs a notebook top to bottom in a fresh tslab kernel through Jupyter's
 * own client machinery (nbclient in the project's .venv), and returns the
 * executed notebook and the cells that failed.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { ensureVenv, installKernel, jupyterEnv, venvBin, kernelName } from "../jupyter.mjs";
import { root } from "../steps.mjs";
import type { Notebook } from "./format.ts";
import { chapterPaths } from "./chapters.ts";

export const notebooksDir = path.join(root, "notebooks");

export interface Failure {
  /** Index of the cell in the notebook, from 0. */
  cell: number;
  reason: string;
  /** True when the cell is tagged raises-exception. */
  expected?: boolean;
}

export interface ExecuteOptions {
  /** Seconds one cell may run before it is interrupted. */
  cellTimeout?: number;
  /** Working directory of the kernel (default: the notebook's folder). */
  cwd?: string;
  kernel?: string;
}

let jupyterReady = false;

/** Makes sure .venv and the kernelspec exist (once per process). */
export function ensureJupyter(): void {
  if (jupyterReady) return;
  ensureVenv();
  installKernel();
  jupyterReady = true;
}

/** The course's chapters, in order: notebooks/NN-topic.ipynb. */
export function chapterFiles(dir = notebooksDir): Promise<string[]> {
  return chapterPaths(dir);
}

export async function readNotebook(file: string): Promise<Notebook> {
  return JSON.parse(await readFile(file, "utf8")) as Notebook;
}

/** Executes `file` in a fresh kernel; never modifies it. */
export async function executeNotebook(
  file: string,
  options: ExecuteOptions = {},
): Promise<{ notebook: Notebook; failures: Failure[] }> {
  ensureJupyter();
  const scratch = await mkdtemp(path.join(tmpdir(), "ipc-lab-nbexec-"));
  const target = path.join(scratch, path.basename(file));
  try {
    await promisify(execFile)(
      venvBin("python"),
      [
        path.join(root, "shared", "notebook", "nbexec.py"),
        file,
        target,
        "--kernel",
        options.kernel ?? kernelName,
        "--cell-timeout",
        String(options.cellTimeout ?? 60),
        "--cwd",
        options.cwd ?? path.dirname(file),
      ],
      { env: jupyterEnv(), maxBuffer: 64 * 1024 * 1024 },
    );
    const notebook = await readNotebook(target);
    const meta = (notebook.metadata["ipc-lab"] ?? {}) as { failures?: Failure[] };
    delete notebook.metadata["ipc-lab"];
    return { notebook, failures: meta.failures ?? [] };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
