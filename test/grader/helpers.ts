// Shared by the grading tests: grade fixtures with modest concurrency, and
// check that a grading left nothing of its sandbox behind.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { promisify } from "node:util";
import { beforeAll, expect, test } from "vitest";
import path from "node:path";
import { gradeSubmission, type Graded } from "../../grader/src/grade.ts";

export const fixtures = path.resolve(import.meta.dirname, "fixtures");

/** Grades `names` (test/grader/fixtures/NAME.ipynb), `concurrency` at a time. */
export async function gradeAll(
  names: string[],
  assignment: string,
  concurrency = 2,
): Promise<Map<string, Graded>> {
  const results = new Map<string, Graded>();
  const queue = [...names];
  const worker = async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      results.set(
        name,
        await gradeSubmission(path.join(fixtures, `${name}.ipynb`), { assignment }),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** What is left of a grading's sandbox: processes of its uid, cgroups, files. */
export function leftovers(graded: Graded): string[] {
  const run = graded.run;
  if (!run) return [];
  const left: string[] = [];
  if (existsSync(run.dir)) left.push(run.dir);
  for (const parent of [
    "/sys/fs/cgroup/memory/ipc-lab-grader",
    "/sys/fs/cgroup/pids/ipc-lab-grader",
    "/sys/fs/cgroup/unified/ipc-lab-grader",
    "/sys/fs/cgroup/ipc-lab-grader",
  ]) {
    if (existsSync(parent))
      left.push(
        ...readdirSync(parent)
          .filter((n) => n.startsWith(`${run.id}-`))
          .map((n) => `${parent}/${n}`),
      );
  }
  for (const uid of run.sandbox.uid === null ? [] : [run.sandbox.uid, run.sandbox.uid + 1]) {
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        if (Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) === uid)
          left.push(`pid ${pid}`);
      } catch {
        // exited meanwhile
      }
    }
    for (const dir of ["/dev/shm", "/tmp"]) {
      // Objects the sandbox's uid owns outside its namespaces.
      left.push(
        ...readdirSync(dir).filter((n) => {
          try {
            return statUid(`${dir}/${n}`) === uid;
          } catch {
            return false;
          }
        }),
      );
    }
  }
  return left;
}

const statUid = (file: string) => statSync(file).uid;

export const testNamed = (graded: Graded, gradeId: string) =>
  graded.tests.find((t) => t.gradeId === gradeId)!;
export const extra = (graded: Graded, name: string) =>
  graded.results.tests.find((t) => t.name === name);

// tsx leaves its esbuild service to exit after it: a subreaper around a CLI
// run waits for every descendant, so none is orphaned to the test runner.
const reaper = [
  "import ctypes, os, subprocess, sys",
  "ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)",
  "code = subprocess.call(sys.argv[1:])",
  "while True:",
  "    try:",
  "        os.wait()",
  "    except ChildProcessError:",
  "        break",
  "sys.exit(code if code >= 0 else 128 - code)",
].join("\n");

export function runReaped(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  return promisify(execFile)("python3", ["-c", reaper, command, ...args], {
    maxBuffer: 16 * 2 ** 20,
    ...options,
  });
}

/**
 * An assignment's fixture table (name -> expected score) as tests: grades
 * every fixture once, two at a time, before the file's tests; tests that each
 * gets its score and leaves nothing behind; and gives the file's own tests a
 * fixture's grading (`get`) and one test's output (`output`).
 */
export function fixtureTable(
  assignment: string,
  expected: Record<string, number>,
  timeout = 1_200_000,
) {
  let graded = new Map<string, Graded>();
  beforeAll(async () => {
    graded = await gradeAll(Object.keys(expected), assignment, 2);
  }, timeout);
  const get = (name: string) => graded.get(name)!;
  test("each fixture gets its expected score and leaves nothing behind", () => {
    const scores = Object.fromEntries(Object.keys(expected).map((n) => [n, get(n).results.score]));
    // On a mismatch, what each test that did not pass said (CI keeps no results.json).
    const said = Object.keys(expected)
      .filter((n) => scores[n] !== expected[n])
      .flatMap((n) =>
        get(n)
          .tests.filter((t) => t.report.status !== "ok")
          .map(
            (t) =>
              `${n} ${t.gradeId}: ${t.report.status} ${t.report.note ?? ""}\n${t.report.output.slice(0, 2000)}`,
          ),
      );
    expect(scores, said.join("\n")).toEqual(expected);
    for (const name of Object.keys(expected)) expect(leftovers(get(name)), name).toEqual([]);
  });
  return { get, output: (name: string, id: string) => testNamed(get(name), id).report.output };
}
