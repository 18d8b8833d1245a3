/**
 * Makes the project's .venv (JupyterLab, nbclient) and the tslab kernelspec
 * once, before any test file runs: on a fresh clone several files need them
 * at the same time, and two pip installs into one folder would collide.
 */
import { ensureVenv, installKernel } from "../../shared/jupyter.mjs";

export default function setup(): void {
  ensureVenv();
  installKernel();
}
