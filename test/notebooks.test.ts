// Every chapter, executed top to bottom in a fresh tslab kernel, must run
// without a failing cell and reproduce its stored outputs (volatile values
// masked). `npm run notebooks:execute` refreshes the stored outputs.
import path from "node:path";
import { expect, test } from "vitest";
import { chapterFiles, executeNotebook, readNotebook } from "../shared/notebook/execute.ts";
import { leakProblems, notebookProblems, runAllProblems } from "../shared/notebook/check.ts";
import { withChapterLock } from "./fixtures/chapter-lock.ts";

const chapters = await chapterFiles();

test("the course has chapters, starting at 00", () => {
  expect(path.basename(chapters[0] ?? "")).toMatch(/^00-/);
});

test.each(chapters.map((file) => [path.basename(file), file]))(
  "%s stores no stack frame or absolute path, and no cell that stops Run All",
  async (_name, file) => {
    const stored = await readNotebook(file);
    const problems = [...leakProblems(file, stored), ...runAllProblems(file, stored)];
    expect(problems.map((problem) => problem.message)).toEqual([]);
  },
);

test.each(chapters.map((file) => [path.basename(file), file]))(
  "%s runs top to bottom and reproduces its stored outputs",
  async (_name, file) => {
    const stored = await readNotebook(file);
    // Not at the same time as the browser test runs this chapter: its objects have fixed names.
    const { notebook, failures } = await withChapterLock(file, () => executeNotebook(file));
    const problems = [
      ...notebookProblems(file, stored, notebook, failures),
      // A fresh run must not show them either (they would be stored next time).
      ...leakProblems(file, notebook),
    ];
    expect(problems.map((problem) => problem.message)).toEqual([]);
  },
  300_000,
);
