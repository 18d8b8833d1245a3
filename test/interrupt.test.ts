import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, expect, test } from "vitest";
import { ensureJupyter } from "../shared/notebook/execute.ts";
import { jupyterEnv, venvBin } from "../shared/jupyter.mjs";

const fixtures = path.join(import.meta.dirname, "fixtures");
const run = promisify(execFile);

beforeAll(() => ensureJupyter());

test("in a program that handles SIGINT, a pending read stops on SIGINT with EINTR and nothing is left", async () => {
  const { stdout } = await run(process.execPath, [path.join(fixtures, "pipe-sigint.mjs")], {
    timeout: 20_000,
  });
  expect(stdout.split("\n").sort()).toEqual(
    [
      "",
      "after: 0",
      "handler ran",
      "read: EINTR read: EINTR (interrupted by SIGINT: the stop button) fd R",
      "waiting: 1",
    ].sort(),
  );
});

interface CellReport {
  status: string;
  outputs: { name: string; text: string }[];
}

test("Jupyter's interrupt stops a cell awaiting read() in a real tslab kernel, and the next cell runs", async () => {
  const { stdout } = await run(
    venvBin("python"),
    [path.join(fixtures, "pipe-interrupt-kernel.py")],
    {
      env: jupyterEnv(),
      timeout: 150_000,
    },
  );
  const report = JSON.parse(stdout) as {
    setup: CellReport;
    wait: CellReport & { interrupted: boolean };
    after: CellReport;
  };
  expect(report.setup.status).toBe("ok");
  // The interrupted cell ends with the library's error naming the call that
  // waited, not tslab's "Interrupted asynchronously", and no stack frames.
  expect(report.wait.interrupted).toBe(true);
  expect(report.wait.status).toBe("error");
  expect(report.wait.outputs[0]).toEqual({ name: "stdout", text: "waiting: 1\n" });
  const shown = report.wait.outputs.map((output) => output.text).join("");
  expect(shown).toMatch(
    /^waiting: 1\n\[SystemError: read: EINTR \(interrupted by SIGINT: the stop button\) fd \d+\] \{\n  code: 'EINTR',/,
  );
  expect(shown).not.toMatch(/Interrupted asynchronously|not reached|node_modules|\.js:\d+/);
  // The read itself was stopped (not just abandoned), and no wait is left.
  expect(report.after).toEqual({
    status: "ok",
    outputs: [
      {
        name: "stdout",
        text: expect.stringMatching(
          /^the read: EINTR read: EINTR \(interrupted by SIGINT: the stop button\) fd \d+\n$/,
        ),
      },
      { name: "stdout", text: "after: 0\n" },
      { name: "stdout", text: "next cell ran\n" },
    ],
  });
}, 180_000);
