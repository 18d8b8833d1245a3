import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Separate processes, not worker threads: the addon keeps per-process
    // state (poll handles), and fork() from a worker thread is worse still.
    pool: "forks",
    // Two files at a time, also on two CPUs (vitest's default would be one):
    // most of the suite waits on kernels, browsers and child processes.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 30_000,
    hookTimeout: 180_000,
    globalSetup: [
      "test/setup/system-deps.ts",
      "test/setup/jupyter.ts",
      "test/setup/mqueue.ts",
      "test/setup/leaks.ts",
    ],
    // CI also keeps a JSON report, from which .ci/run prints one plain
    // "N passed, N failed" line.
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: "test-results/vitest.json" }]]
      : ["default"],
  },
});
