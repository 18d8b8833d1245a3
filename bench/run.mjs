// `npm run bench -- NAME [args]`: runs bench/NAME.ts (with tsx) or bench/NAME.mjs.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(here)
  .filter((file) => /\.(ts|mjs)$/.test(file) && file !== "run.mjs")
  .map((file) => file.replace(/\.(ts|mjs)$/, ""));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME   (NAME: ${available.join(", ") || "none yet"})`);
  process.exit(2);
}
const ts = path.join(here, `${name}.ts`);
const command = existsSync(ts)
  ? [process.execPath, ["--import", "tsx", ts, ...args]]
  : [process.execPath, [path.join(here, `${name}.mjs`), ...args]];
const result = spawnSync(command[0], command[1], { stdio: "inherit" });
process.exit(result.status ?? 1);
