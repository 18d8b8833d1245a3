// Shared by the scripts: run a list of named steps, check prerequisites, and
// report a missing one as one clear message instead of a stack trace.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** A problem the user can fix; printed without a stack trace. */
export class Prerequisite extends Error {}

/** Runs `steps` ([name, fn] pairs) in order, timing each; exits 1 on failure. */
export async function runSteps(title, steps) {
  for (const [name, step] of steps) {
    const started = Date.now();
    try {
      await step();
    } catch (error) {
      if (error instanceof Prerequisite) {
        console.error(`\n${title}: ${name} failed.\n${error.message}\n`);
        process.exit(1);
      }
      throw error;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (process.env.IPC_LAB_QUIET !== "1") console.error(`${title}: ${name} (${seconds} s)`);
  }
}

/** Runs a command with inherited output; throws Prerequisite on failure. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", cwd: root, ...options });
  if (result.error) throw new Prerequisite(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Prerequisite(`'${command} ${args.join(" ")}' exited with status ${result.status}.`);
  }
  return result;
}

/** True when `command` is on PATH. */
export function have(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

export function requireNode(major) {
  const current = Number(process.versions.node.split(".")[0]);
  if (current < major) {
    throw new Prerequisite(
      `Node.js ${major} or newer is needed; this is Node ${process.versions.node}.\n` +
        `Install a current Node.js (https://nodejs.org or your distribution's nodejs package).`,
    );
  }
}

export function requireCommands(commands, hint) {
  const missing = commands.filter((command) => !have(command));
  if (missing.length > 0) throw new Prerequisite(`Missing: ${missing.join(", ")}.\n${hint}`);
}

/** Finds python3 >= 3.10, or explains how to get it. */
export function findPython() {
  for (const candidate of [process.env.PYTHON, "python3", "python"].filter(Boolean)) {
    const probe = spawnSync(candidate, ["-c", "import sys; print(sys.version_info >= (3, 10))"], {
      encoding: "utf8",
    });
    if (probe.status === 0 && probe.stdout.trim() === "True") return candidate;
  }
  throw new Prerequisite(
    "Python 3.10 or newer (python3) is needed for JupyterLab and the notebook tests.\n" +
      "Debian/Ubuntu: sudo apt-get install python3 python3-venv",
  );
}

export const exists = (relative) => existsSync(path.join(root, relative));
