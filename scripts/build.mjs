// `npm install` and `npm run build`: the native addon (node-gyp, offline),
// the chapters' C programs, and the TypeScript library the notebooks import.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import {
  Prerequisite,
  root,
  run,
  runSteps,
  requireNode,
  requireCommands,
  exists,
} from "../shared/steps.mjs";

const require = createRequire(import.meta.url);

// Build against the running Node's own headers when its install prefix has
// them (Debian's nodejs, the official tarballs): node-gyp must not download.
function nodedirArgs() {
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  return existsSync(path.join(prefix, "include", "node", "node_api.h"))
    ? [`--nodedir=${prefix}`]
    : [];
}

/**
 * Runs a build command with its output held back: on failure everything it
 * printed is shown, then why it stopped; on success only what is not
 * progress (node-gyp's "gyp info" lines, make's "CXX(target) ..." and
 * directory lines), which leaves the compiler's warnings.
 */
function runQuietly(command, args) {
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Prerequisite(`${command}: ${result.error.message}`);
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) {
    process.stderr.write(output);
    throw new Prerequisite(`'${command} ${args.join(" ")}' exited with status ${result.status}.`);
  }
  const progress =
    /^(gyp info |make(\[\d+\])?: (Entering|Leaving) directory|\s+(COPY|[A-Z_]+\(target\)) |\s*$)/;
  const rest = output.split("\n").filter((line) => !progress.test(line));
  if (rest.length > 0) process.stderr.write(rest.join("\n") + "\n");
}

function nodeGyp(...args) {
  const bin = require.resolve("node-gyp/bin/node-gyp.js");
  runQuietly(process.execPath, [bin, ...args, "--directory", "native", ...nodedirArgs()]);
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
    "compiling the chapters' Java programs (where a JDK is installed)",
    () => {
      // Chapter 08's DateServer/DateClient, into native/build/java; a
      // machine without javac still builds everything else.
      if (spawnSync("javac", ["-version"], { stdio: "ignore" }).status !== 0) return;
      const names = ["DateServer", "DateClient"];
      const sources = names.map((name) => `native/java/${name}.java`);
      const built = (name) => path.join(root, `native/build/java/${name}.class`);
      const stale = names.some(
        (name, i) =>
          !existsSync(built(name)) ||
          statSync(built(name)).mtimeMs < statSync(path.join(root, sources[i])).mtimeMs,
      );
      if (stale) run("javac", ["-d", "native/build/java", ...sources]);
    },
  ],
  [
    "compiling the TypeScript library",
    () => {
      run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "lib"]);
    },
  ],
]);
