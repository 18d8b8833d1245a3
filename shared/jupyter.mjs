// The project-local Python environment (.venv) with JupyterLab and nbclient,
// and the tslab kernel registered inside it only (never in the user's own
// Jupyter). Made once; remade when requirements.txt changes.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Prerequisite, root, run, findPython } from "./steps.mjs";

export const venv = path.join(root, ".venv");
export const venvBin = (name) => path.join(venv, "bin", name);
export const kernelName = "tslab";

const stampFile = path.join(venv, ".ipc-lab-requirements");

function requirementsHash() {
  return createHash("sha256")
    .update(readFileSync(path.join(root, "requirements.txt")))
    .digest("hex");
}

/** Creates .venv and installs requirements.txt unless it is already current. */
export function ensureVenv() {
  const wanted = requirementsHash();
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === wanted) {
    fenceVenv();
    return false;
  }
  if (!existsSync(venvBin("python"))) {
    const python = findPython();
    const made = spawnSync(python, ["-m", "venv", venv], { stdio: "inherit" });
    if (made.status !== 0) {
      throw new Prerequisite(
        `'${python} -m venv .venv' failed: Python's venv module is missing.\n` +
          "Debian/Ubuntu: sudo apt-get install python3-venv",
      );
    }
  }
  run(venvBin("python"), [
    "-m",
    "pip",
    "install",
    "--quiet",
    "--disable-pip-version-check",
    "-r",
    path.join(root, "requirements.txt"),
  ]);
  writeFileSync(stampFile, wanted);
  fenceVenv();
  return true;
}

/**
 * JupyterLab runs Node scripts of its own from inside .venv (its bundled
 * yarn); the project's package.json says "type": "module", which would make
 * Node load them as ES modules. A package.json in .venv is the boundary.
 */
function fenceVenv() {
  const file = path.join(venv, "package.json");
  if (!existsSync(file)) writeFileSync(file, '{ "type": "commonjs" }\n');
}

/**
 * Registers the tslab TypeScript kernel in .venv's sys-prefix: the kernel.json
 * `tslab install --sys-prefix` writes, but naming this Node and this clone's
 * tslab by absolute path, so the kernel never depends on PATH.
 */
export function installKernel() {
  const tslab = path.join(root, "node_modules", "tslab", "bin", "tslab");
  if (!existsSync(tslab)) {
    throw new Prerequisite("tslab is not installed: run `npm install` first.");
  }
  const spec = {
    argv: [process.execPath, tslab, "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript",
    language: "typescript",
    interrupt_mode: "signal",
  };
  const dir = path.join(venv, "share", "jupyter", "kernels", kernelName);
  const file = path.join(dir, "kernel.json");
  const text = JSON.stringify(spec, null, 2) + "\n";
  if (existsSync(file) && readFileSync(file, "utf8") === text) return false;
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, text);
  return true;
}

/**
 * The environment for Jupyter processes: the venv first on PATH, node beside
 * it, and Jupyter's config, data and runtime folders inside .venv, so that
 * nothing is read from or written to the user's own ~/.jupyter.
 */
export function jupyterEnv(extra = {}) {
  const PATH = [path.join(venv, "bin"), path.dirname(process.execPath), process.env.PATH].join(
    path.delimiter,
  );
  return {
    ...process.env,
    PATH,
    VIRTUAL_ENV: venv,
    JUPYTER_CONFIG_DIR: path.join(venv, "etc", "jupyter"),
    JUPYTER_DATA_DIR: path.join(venv, "share", "jupyter"),
    JUPYTER_RUNTIME_DIR: path.join(venv, "share", "jupyter", "runtime"),
    JUPYTER_PLATFORM_DIRS: "1",
    ...extra,
  };
}
