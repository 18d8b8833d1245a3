/**
 * `npm run gradescope`: one autograder zip per assignment, as Gradescope
 * expects it: setup.sh and run_autograder at the top, and what they need
 * (the project's sources without builds, the assignment's source and
 * release). Gradescope unpacks it into /autograder/source.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { assignment, root } from "./assignments.ts";
import { venvBin } from "../../shared/jupyter.mjs";

export const gradescopeDir = path.join(root, "grader", "dist", "gradescope");

/** What the autograder needs of the project, relative to its root. */
const included = [
  "package.json",
  "package-lock.json",
  "requirements.txt",
  "tsconfig.base.json",
  "lib",
  "native",
  "scripts/build.mjs",
  "shared/steps.mjs",
  "shared/jupyter.mjs",
  "shared/notebook/format.ts",
  "grader/src",
];
const skipped = new Set(["dist", "build", "node_modules", "__pycache__"]);

function walk(relative: string): string[] {
  const full = path.join(root, relative);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full)
    .filter((name) => !skipped.has(name) && !name.endsWith(".tsbuildinfo"))
    .flatMap((name) => walk(path.join(relative, name)));
}

/** The zip's entries: [name in the zip, file on disk]. */
export function entries(name: string, scratch: string): [string, string][] {
  const a = assignment(name);
  const files = [
    ...included,
    path.relative(root, path.dirname(a.source)),
    path.relative(root, path.dirname(a.release)),
  ].flatMap(walk);
  const runner = path.join(scratch, "run_autograder");
  const template = readFileSync(path.join(root, "grader", "gradescope", "run_autograder"), "utf8");
  writeFileSync(runner, template.replace("@ASSIGNMENT@", name), { mode: 0o755 });
  return [
    ["setup.sh", path.join(root, "grader", "gradescope", "setup.sh")],
    ["run_autograder", runner],
    ...files.map((file): [string, string] => [file, path.join(root, file)]),
  ];
}

export async function buildZip(name: string): Promise<string> {
  await mkdir(gradescopeDir, { recursive: true });
  const scratch = path.join(tmpdir(), `ipc-lab-gradescope-${process.pid}-${name}`);
  await mkdir(scratch, { recursive: true });
  try {
    const out = path.join(gradescopeDir, `${name}.zip`);
    await rm(out, { force: true });
    const list = entries(name, scratch)
      .map(([inZip, disk]) => `${inZip}\t${disk}`)
      .join("\n");
    execFileSync(venvBin("python"), [path.join(root, "grader", "gradescope", "zip.py"), out], {
      input: list,
    });
    return out;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
