// `npm start [-- --port N --no-browser ...]`: opens the course in JupyterLab.
// Builds what is missing, makes the project's .venv once, registers the
// TypeScript kernel there only, then runs JupyterLab on notebooks/ and prints
// its URL. Arguments after `--` go to JupyterLab.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
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
} from "../shared/steps.mjs";
import { ensureVenv, installKernel, jupyterEnv, venvBin } from "../shared/jupyter.mjs";

// `node scripts/start.mjs -- --port N` passes the "--" through: drop it, or
// JupyterLab would take what follows as file names instead of options.
const passThrough = process.argv.slice(2);
if (passThrough[0] === "--") passThrough.shift();

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

// A closed terminal (SIGHUP) makes writes to it fail: stopping must go on.
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});
const say = (line) => process.stderr.write(`ipc-lab: ${line}\n`);

// Everything JupyterLab starts stays ours to stop. As a child subreaper
// (prctl(PR_SET_CHILD_SUBREAPER), through the course's own addon) this
// process inherits the kernels and whatever a notebook forked when their
// parent dies first, instead of init: nothing can escape to PID 1.
const ipc = createRequire(import.meta.url)(path.join(root, "lib", "dist", "index.js"));
ipc.setChildSubreaper(true);

// JupyterLab gets its own session (setsid: `detached`), so Ctrl+C and a
// closed terminal reach this script only, which then stops JupyterLab the
// one way that also stops its kernels; its stdin is not the terminal, so it
// never asks "Shut down this Jupyter server (y/[n])?". PR_SET_PDEATHSIG
// makes JupyterLab stop (SIGTERM) if this script is killed outright.
const args = ["lab", `--ServerApp.root_dir=${path.join(root, "notebooks")}`, ...passThrough];
if (process.getuid?.() === 0) args.push("--allow-root");
const stopWithParent = [
  "import ctypes, os, signal, sys",
  "try: ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)",
  "except AttributeError: pass",
  "os.execv(sys.argv[1], sys.argv[1:])",
].join("\n");
const jupyter = spawn(venvBin("python"), ["-c", stopWithParent, venvBin("jupyter"), ...args], {
  cwd: path.join(root, "notebooks"),
  env: jupyterEnv(),
  stdio: ["ignore", "pipe", "pipe"],
  detached: true,
});
const jupyterExit = new Promise((resolve) => {
  jupyter.once("exit", (code, signal) => resolve({ code, signal }));
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

/** pid → { ppid, pgid, start } for every process, from /proc/PID/stat. */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // Fields 3, 4, 5 and 22 of proc_pid_stat(5): state, ppid, pgrp, starttime.
      table.set(Number(entry), {
        state: fields[0],
        ppid: Number(fields[1]),
        pgid: Number(fields[2]),
        start: fields[19],
      });
    } catch {
      // It ended while we looked.
    }
  }
  return table;
}

/** The processes below `pid`, each with its start time (pids get reused). */
function descendants(pid, table = processTable()) {
  const found = new Map();
  let parents = new Set([pid]);
  while (parents.size > 0) {
    const next = new Set();
    for (const [child, info] of table) {
      if (parents.has(info.ppid) && !found.has(child)) {
        found.set(child, info.start);
        next.add(child);
      }
    }
    parents = next;
  }
  return found;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function signalQuietly(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Stops what is left once JupyterLab itself has ended: the processes that
 * were below it (by pid and start time) and every process re-parented to
 * this script, with SIGTERM, then SIGKILL after `graceMs`, reaping each.
 */
async function sweep(below, graceMs) {
  for (const signal of ["SIGTERM", "SIGKILL"]) {
    const deadline = Date.now() + (signal === "SIGTERM" ? graceMs : 5000);
    for (;;) {
      const table = processTable();
      const alive = new Map([...below].filter(([pid, start]) => table.get(pid)?.start === start));
      for (const [pid, info] of table) {
        if (info.ppid === process.pid && pid !== jupyter.pid) alive.set(pid, info.start);
      }
      // Reap the adopted ones that have ended; signal the others once per round.
      const running = [...alive].filter(([pid]) => {
        const info = table.get(pid);
        if (info?.state !== "Z") return true;
        if (info.ppid === process.pid) {
          try {
            ipc.waitpidSync(pid, { noHang: true });
          } catch {
            // Reaped already.
          }
        }
        return false;
      });
      if (running.length === 0) return;
      if (Date.now() > deadline) break;
      for (const [pid] of running) signalQuietly(pid, signal);
      await sleep(100);
    }
  }
}

let stopping;
/** Stops JupyterLab (which shuts its kernels down), then everything left; exits. */
function stop(signal) {
  stopping ??= (async () => {
    const below = descendants(jupyter.pid);
    let ended = jupyter.exitCode !== null || jupyter.signalCode !== null;
    if (!ended) {
      say(`stopping JupyterLab and its kernels (${signal})...`);
      signalQuietly(jupyter.pid, "SIGTERM");
      ended = await Promise.race([jupyterExit.then(() => true), sleep(15_000)]);
      if (!ended) {
        say("JupyterLab did not stop in 15 s: killing it.");
        signalQuietly(-jupyter.pid, "SIGKILL");
      }
    }
    const { code } = await jupyterExit;
    await sweep(below, 3000).catch((error) => say(`clean-up: ${error.message}`));
    if (signal) {
      // Die of the signal, as the terminal and npm expect of Ctrl+C.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  })();
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(signal));
// JupyterLab may also end by itself (File > Shut Down, an error): clean up after it.
jupyterExit.then(() => stop(null));
