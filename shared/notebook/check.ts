/**
 * What makes a notebook run a failure: a cell that failed (unless tagged
 * raises-exception), or fresh outputs that differ from the stored ones after
 * masking volatile values (unless the cell is tagged nbval-ignore-output).
 * Each problem names the notebook, the cell and what went wrong.
 */
import path from "node:path";
import { hasTag, text, type Cell, type Notebook, type Output } from "./format.ts";
import type { Failure } from "./execute.ts";
import { mask } from "./mask.ts";

export interface Problem {
  notebook: string;
  /** 1-based cell number, as JupyterLab shows cells top to bottom. */
  cell: number;
  message: string;
}

function firstLine(cell: Cell): string {
  const line = text(cell.source).split("\n")[0] ?? "";
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

/** A line of a JavaScript stack trace: "    at fn (/path/file.js:1:2)". */
const STACK_FRAME = /^\s+at \S/;

/**
 * The outputs of a cell as comparable lines: stream text merged, mime data by
 * type. Stack frames are left out (a stored output has none, see leakProblems).
 */
export function outputLines(outputs: Output[]): string[] {
  const lines: string[] = [];
  let stream = "";
  let streamName = "";
  const flush = () => {
    if (stream)
      lines.push(
        ...stream
          .replace(/\n$/, "")
          .split("\n")
          .filter((l) => !STACK_FRAME.test(l))
          .map((l) => `[${streamName}] ${l}`),
      );
    stream = "";
  };
  for (const output of outputs) {
    if (output.output_type === "stream") {
      if (output.name !== streamName) flush();
      streamName = output.name;
      stream += text(output.text);
      continue;
    }
    flush();
    if (output.output_type === "error") {
      lines.push(`[error] ${output.ename}: ${output.evalue}`);
    } else {
      for (const [mime, value] of Object.entries(output.data).sort(([a], [b]) =>
        a.localeCompare(b),
      )) {
        // Binary images are compared by presence: their bytes may differ run to run.
        const body =
          mime.startsWith("image/") && mime !== "image/svg+xml" ? "<binary>" : text(value);
        lines.push(...body.split("\n").map((l) => `[${mime}] ${l}`));
      }
    }
  }
  flush();
  return lines.map((line) => mask(line));
}

/** The stderr text a failing tslab cell printed, shortened for a message. */
function failureText(cell: Cell | undefined): string {
  if (!cell || cell.cell_type !== "code") return "";
  const stderr = cell.outputs
    .filter((o) => o.output_type === "stream" && o.name === "stderr")
    .map((o) => text((o as { text: string }).text))
    .join("");
  const errors = cell.outputs.filter((o) => o.output_type === "error");
  const message = stderr || errors.map((e) => `${e.ename}: ${e.evalue}`).join("\n");
  return message.split("\n").slice(0, 6).join("\n").trim();
}

export function failureProblems(file: string, executed: Notebook, failures: Failure[]): Problem[] {
  const notebook = path.basename(file);
  return failures
    .filter((failure) => !failure.expected)
    .map((failure) => {
      const cell = executed.cells[failure.cell];
      const detail = failureText(cell);
      return {
        notebook,
        cell: failure.cell + 1,
        message:
          `${notebook} cell ${failure.cell + 1} (${cell ? firstLine(cell) : "?"}): ${failure.reason}` +
          (detail ? `\n${detail}` : ""),
      };
    });
}

export function outputProblems(file: string, stored: Notebook, fresh: Notebook): Problem[] {
  const notebook = path.basename(file);
  const problems: Problem[] = [];
  if (stored.cells.length !== fresh.cells.length) {
    return [{ notebook, cell: 0, message: `${notebook}: cell count changed` }];
  }
  stored.cells.forEach((cell, index) => {
    const again = fresh.cells[index]!;
    if (cell.cell_type !== "code" || again.cell_type !== "code") return;
    if (hasTag(cell, "nbval-ignore-output")) return;
    const want = outputLines(cell.outputs);
    const got = outputLines(again.outputs);
    const at = want.findIndex((line, i) => line !== got[i]);
    const line = at >= 0 ? at : want.length < got.length ? want.length : -1;
    if (line < 0) return;
    problems.push({
      notebook,
      cell: index + 1,
      message:
        `${notebook} cell ${index + 1} (${firstLine(cell)}): output differs at line ${line + 1}\n` +
        `  stored: ${JSON.stringify(want[line] ?? "<nothing>")}\n` +
        `  fresh:  ${JSON.stringify(got[line] ?? "<nothing>")}`,
    });
  });
  return problems;
}

/**
 * Everything wrong with one executed notebook: its failed cells or, when
 * every cell ran, the outputs that differ from the stored ones.
 */
export function notebookProblems(
  file: string,
  stored: Notebook,
  executed: Notebook,
  failures: Failure[],
): Problem[] {
  const failed = failureProblems(file, executed, failures);
  return failed.length > 0 ? failed : outputProblems(file, stored, executed);
}

/**
 * What a stored output must never show a student: a stack frame (the
 * library's or tslab's internals), or an absolute path of the machine that
 * ran it (the clone, a home folder). System paths that a lesson is about
 * (/proc, /dev/shm, /usr/bin, /tmp where a chapter makes its files and the
 * classic /tmp/seqnum_sv, ...) are fine: the same on every machine, and the
 * random part of a scratch folder is masked.
 */
export const LEAKS: [what: string, pattern: RegExp][] = [
  ["a stack frame", /^\s+at \S.*$/m],
  ["a path into node_modules", /node_modules\//],
  ["a path into the library's build", /\blib\/dist\/\S+\.js/],
  ["an absolute path of this machine", /(^|[\s'"(=:])\/(home|work|Users|root|private)\/\S*/m],
];

function outputText(output: Output): string {
  if (output.output_type === "stream") return text(output.text);
  if (output.output_type === "error")
    return [`${output.ename}: ${output.evalue}`, ...(output.traceback ?? [])].join("\n");
  return Object.entries(output.data)
    .filter(([mime]) => mime.startsWith("text/") || mime.endsWith("json"))
    .map(([, value]) =>
      typeof value === "string" || Array.isArray(value) ? text(value) : JSON.stringify(value),
    )
    .join("\n");
}

/** Every stored output that shows a stack frame or an absolute path, by cell. */
export function leakProblems(file: string, notebook: Notebook): Problem[] {
  const name = path.basename(file);
  const problems: Problem[] = [];
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    for (const output of cell.outputs) {
      const body = outputText(output);
      for (const [what, pattern] of LEAKS) {
        const match = pattern.exec(body);
        if (!match) continue;
        problems.push({
          notebook: name,
          cell: index + 1,
          message: `${name} cell ${index + 1} (${firstLine(cell)}): an output shows ${what}: ${JSON.stringify(match[0].trim())}`,
        });
      }
    }
  });
  return problems;
}

/**
 * A chapter must run to its end from JupyterLab's Run All, which stops at the
 * first cell that fails, tagged raises-exception or not: a lesson shows a
 * failure by catching it and printing it.
 */
export function runAllProblems(file: string, notebook: Notebook): Problem[] {
  const name = path.basename(file);
  return notebook.cells.flatMap((cell, index) =>
    hasTag(cell, "raises-exception")
      ? [
          {
            notebook: name,
            cell: index + 1,
            message: `${name} cell ${index + 1} (${firstLine(cell)}): tagged raises-exception, but Run All stops at a failing cell; catch the error and print it`,
          },
        ]
      : [],
  );
}
