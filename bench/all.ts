/**
 * `npm run bench -- all [--quick] [--json FILE]`: every mechanism's benchmark,
 * in chapter order, as children of this one process; their output passes
 * through, their result lines (`NAME.metric ts=… c=… ratio=…`) are collected
 * into a summary table and a JSON file (default bench/results/all.json) that
 * chapter 10 can load instead of measuring.
 *
 * `--quick` (IPC_LAB_BENCH_QUICK=1) runs each one scaled down: a look, not a
 * measurement. A benchmark that fails is reported and the others still run;
 * the exit status is then 1.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseResultLine, type Result } from "./lib/results.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

/** Chapter order; a benchmark whose file is not there yet is skipped. */
const BENCHES = ["shm", "pipe", "fifo", "signal", "mqueue", "sem", "mmap", "socket", "rpc"];

/** The goals the chapter issues set, by result name: "≤ 2" for a ratio that must stay low. */
const GOALS: Record<string, { op: "<=" | ">="; value: number }> = {
  "fifo.throughput": { op: ">=", value: 0.8 },
  "fifo.roundtrip": { op: "<=", value: 2 },
  "signal.pingpong": { op: "<=", value: 2 },
  "mqueue.posix.roundtrip": { op: "<=", value: 2 },
  "mqueue.sysv.roundtrip": { op: "<=", value: 2 },
  "mqueue.posix.throughput": { op: ">=", value: 0.7 },
  "sem.pingpong": { op: "<=", value: 2 },
  "mmap.read": { op: ">=", value: 0.8 },
  "socket.tcp.throughput": { op: ">=", value: 0.8 },
  "socket.dateserver": { op: ">=", value: 1 },
  "rpc.null": { op: "<=", value: 1.5 },
  "rpc.vs-grpc": { op: "<=", value: 0.2 },
  "xdr.encode": { op: "<=", value: 1 },
  "xdr.decode": { op: "<=", value: 1 },
};

interface Run {
  bench: string;
  seconds: number;
  status: number;
  results: Result[];
}

function runBench(bench: string, quick: boolean): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, ["--import", "tsx", path.join(here, `${bench}.ts`)], {
    stdio: ["ignore", "pipe", "inherit"],
    env: quick ? { ...process.env, IPC_LAB_BENCH_QUICK: "1" } : process.env,
  });
  const results: Result[] = [];
  let pending = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text: string) => {
    process.stdout.write(text);
    const lines = (pending + text).split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      const result = parseResultLine(line, bench);
      if (result) results.push(result);
    }
  });
  return new Promise((resolve) =>
    child.on("close", (code) =>
      resolve({ bench, seconds: (Date.now() - started) / 1e3, status: code ?? 1, results }),
    ),
  );
}

function goalOf(result: Result): string {
  const goal = GOALS[result.name];
  if (!goal || result.ratio === undefined || !result.pinned) return "";
  const met = goal.op === "<=" ? result.ratio <= goal.value : result.ratio >= goal.value;
  return `${goal.op === "<=" ? "≤" : "≥"} ${goal.value} ${met ? "met" : "missed"}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")).join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const jsonAt = args.indexOf("--json");
  const jsonFile =
    jsonAt >= 0 ? path.resolve(args[jsonAt + 1] ?? "") : path.join(here, "results", "all.json");
  const started = Date.now();
  const runs: Run[] = [];
  for (const bench of BENCHES) {
    if (!existsSync(path.join(here, `${bench}.ts`))) continue;
    console.log(`\n== ${bench}${quick ? " (quick)" : ""}`);
    runs.push(await runBench(bench, quick));
  }
  const seconds = (Date.now() - started) / 1e3;
  const rows = [["result", "", "values", "ratio", "goal"]];
  for (const result of runs.flatMap((r) => r.results)) {
    const values = Object.entries(result.values).map(([k, v]) => `${k}=${v}`);
    rows.push([
      result.name,
      result.pinned ? "pinned" : "unpinned",
      values.join(" "),
      result.ratio?.toFixed(2) ?? "",
      goalOf(result),
    ]);
  }
  console.log(`\n== summary: ${runs.length} benchmarks in ${seconds.toFixed(0)} s\n`);
  console.log(table(rows));
  const failed = runs.filter((r) => r.status !== 0);
  for (const r of failed) console.log(`bench ${r.bench} FAILED (exit ${r.status})`);
  mkdirSync(path.dirname(jsonFile), { recursive: true });
  const cpu = os.cpus()[0]?.model ?? "unknown";
  const machine = { cpus: os.cpus().length, cpu, kernel: os.release(), node: process.version };
  writeFileSync(
    jsonFile,
    JSON.stringify(
      { date: new Date().toISOString(), quick, seconds, machine, benches: runs },
      null,
      2,
    ) + "\n",
  );
  console.log(`\nwritten to ${path.relative(process.cwd(), jsonFile)}`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

await main();
