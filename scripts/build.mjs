// `npm install` and `npm run build`: the native addon (node-gyp, offline),
// the chapters' C programs, and the TypeScript library the notebooks import.
import { existsSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { run, runSteps, requireNode, requireCommands, exists } from "./lib/steps.mjs";

const require = createRequire(import.meta.url);

// Build against the running Node's own headers when its install prefix has
// them (Debian's nodejs, the official tarballs): node-gyp must not download.
function nodedirArgs() {
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  return existsSync(path.join(prefix, "include", "node", "node_api.h"))
    ? [`--nodedir=${prefix}`]
    : [];
}

function nodeGyp(...args) {
  const bin = require.resolve("node-gyp/bin/node-gyp.js");
  run(process.execPath, [bin, ...args, "--directory", "native", ...nodedirArgs()]);
}

await runSteps("build", [
  [
    "checking prerequisites",
    () => {
      requireNode(20);
      requireCommands(
        ["cc", "c++", "make"],
        "A C/C++ compiler and make are needed to build the native addon.\n" +
          "Debian/Ubuntu: sudo apt-get install build-essential",
      );
    },
  ],
  [
    "building the native addon",
    () => {
      if (!exists("native/build/Makefile")) nodeGyp("configure");
      nodeGyp("build");
    },
  ],
  ["building the chapters' C programs", () => run("make", ["-s", "-C", "native/c"])],
  [
    "compiling the TypeScript library",
    () => {
      run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "lib"]);
    },
  ],
]);
