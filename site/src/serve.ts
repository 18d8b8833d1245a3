import { watch } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "./build.ts";
import { serveStatic } from "./server.ts";

// npm run site:serve [-- --port 4173]: builds, serves site/dist, and rebuilds
// when a notebook or the site's own sources change.

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const portFlag = process.argv.indexOf("--port");
const port = Number(portFlag > 0 ? process.argv[portFlag + 1] : (process.env.PORT ?? 4173));

const result = await build();
const { url } = await serveStatic(result.outDir, port);
console.log(
  `\n  Preview: ${url}\n  Rebuilds on changes to notebooks/ and site/src/. Ctrl+C stops.\n`,
);

let timer: NodeJS.Timeout | undefined;
let building = Promise.resolve();
const rebuild = (file: string | null) => {
  clearTimeout(timer);
  timer = setTimeout(() => {
    building = building.then(async () => {
      console.log(`\n  ${file ?? "change"}: rebuilding`);
      await build().catch((error: unknown) =>
        console.error(error instanceof Error ? error.message : error),
      );
    });
  }, 200);
};
for (const dir of [join(root, "notebooks"), join(root, "site", "src")]) {
  watch(dir, { recursive: true }, (_event, file) => rebuild(file));
}
