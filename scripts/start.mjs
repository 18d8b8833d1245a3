// `npm start [-- --port N --no-browser ...]`: opens the course in JupyterLab.
// Builds what is missing, makes the project's .venv once, registers the
// TypeScript kernel there only, then runs JupyterLab on notebooks/ and prints
// its URL. Arguments after `--` go to JupyterLab.
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import {
  Prerequisite,
  root,
  run,
  runSteps,
  requireNode,
  findPython,
  exists,
} from "./lib/steps.mjs";
import { ensureVenv, installKernel, jupyterEnv, venvBin } from "./lib/jupyter.mjs";

const passThrough = process.argv.slice(2);

/** The port asked for with --port N or --port=N, if any. */
function requestedPort(args) {
  for (let i = 0; i < args.length; i++) {
    const match = /^--(?:ServerApp\.)?port(?:=(.*))?$/.exec(args[i]);
    if (match) return Number(match[1] ?? args[i + 1]);
  }
  return undefined;
}

function checkPortFree(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (error) => {
      if (error.code === "EADDRINUSE") {
        reject(
          new Prerequisite(
            `Port ${port} is taken by another program.\n` +
              `Choose another one:  npm start -- --port ${port + 1}`,
          ),
        );
      } else reject(error);
    });
    server.listen(port, "127.0.0.1", () => server.close(resolve));
  });
}

await runSteps("start", [
  [
    "checking prerequisites",
    async () => {
      requireNode(20);
      findPython();
      const port = requestedPort(passThrough);
      if (port !== undefined) {
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
          throw new Prerequisite(`--port must be a number from 1 to 65535, got ${port}`);
        }
        await checkPortFree(port);
      }
    },
  ],
  [
    "building the library (if needed)",
    () => {
      if (!exists("native/build/Release/ipc_lab.node") || !exists("lib/dist/index.js")) {
        run(process.execPath, [path.join(root, "scripts", "build.mjs")]);
      }
    },
  ],
  ["preparing .venv with JupyterLab (first time: about a minute)", () => ensureVenv()],
  ["registering the TypeScript kernel in .venv", () => installKernel()],
]);

const args = ["lab", `--ServerApp.root_dir=${path.join(root, "notebooks")}`, ...passThrough];
if (process.getuid?.() === 0) args.push("--allow-root");
const jupyter = spawn(venvBin("jupyter"), args, {
  cwd: path.join(root, "notebooks"),
  env: jupyterEnv(),
  stdio: ["inherit", "pipe", "pipe"],
});

// JupyterLab logs its URL among many lines: repeat it once, plainly.
let announced = false;
function relay(stream, sink) {
  let pending = "";
  stream.on("data", (chunk) => {
    sink.write(chunk);
    if (announced) return;
    pending += chunk.toString();
    const url = /(http:\/\/(?:127\.0\.0\.1|localhost)[^\s]*\/lab\?token=\w+)/.exec(pending);
    if (url) {
      announced = true;
      sink.write(
        `\nipc-lab: JupyterLab is running at ${url[1]}\n` + "ipc-lab: press Ctrl+C to stop it.\n\n",
      );
    }
  });
}
relay(jupyter.stdout, process.stdout);
relay(jupyter.stderr, process.stderr);

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => jupyter.kill("SIGTERM"));
}
jupyter.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
