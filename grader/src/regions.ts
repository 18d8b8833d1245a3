/**
 * nbgrader's markers, in TypeScript comments:
 *   // BEGIN SOLUTION ... // END SOLUTION          (solution cells)
 *   // BEGIN HIDDEN TESTS ... // END HIDDEN TESTS  (grade cells)
 * A marker line may be indented; what replaces a region keeps its indent.
 */
import { NotebookError } from "./notebook.ts";

const marker = (word: "BEGIN" | "END", what: string) =>
  new RegExp(`^([ \\t]*)//\\s*${word} ${what}\\s*$`);

interface Region {
  begin: number;
  end: number;
  indent: string;
}

function regions(
  source: string,
  what: string,
  where: string,
): { lines: string[]; found: Region[] } {
  const lines = source.split("\n");
  const found: Region[] = [];
  let open: Region | undefined;
  lines.forEach((line, index) => {
    const begin = marker("BEGIN", what).exec(line);
    if (begin) {
      if (open)
        throw new NotebookError(
          `${where}: "BEGIN ${what}" on line ${index + 1} inside another one`,
        );
      open = { begin: index, end: -1, indent: begin[1] ?? "" };
    } else if (marker("END", what).test(line)) {
      if (!open)
        throw new NotebookError(`${where}: "END ${what}" on line ${index + 1} without a BEGIN`);
      open.end = index;
      found.push(open);
      open = undefined;
    }
  });
  if (open)
    throw new NotebookError(`${where}: "BEGIN ${what}" on line ${open.begin + 1} is never ended`);
  return { lines, found };
}

function replace(
  source: string,
  what: string,
  where: string,
  by: (indent: string) => string[],
): string {
  const { lines, found } = regions(source, what, where);
  for (const region of found.reverse()) {
    lines.splice(region.begin, region.end - region.begin + 1, ...by(region.indent));
  }
  return lines.join("\n");
}

export const countRegions = (source: string, what: "SOLUTION" | "HIDDEN TESTS", where: string) =>
  regions(source, what, where).found.length;

/** The student's version: each solution region becomes the stub. */
export function clearSolutions(source: string, where: string): string {
  return replace(source, "SOLUTION", where, (indent) => [
    `${indent}// YOUR CODE HERE`,
    `${indent}throw new Error("not implemented yet");`,
  ]);
}

/** Without the hidden tests (and their markers). */
export function clearHiddenTests(source: string, where: string): string {
  return replace(source, "HIDDEN TESTS", where, () => []);
}

/** With the markers of hidden tests removed but their code kept. */
export function revealHiddenTests(source: string): string {
  return source
    .split("\n")
    .filter(
      (line) =>
        !marker("BEGIN", "HIDDEN TESTS").test(line) && !marker("END", "HIDDEN TESTS").test(line),
    )
    .join("\n");
}

/** The instructor's solution with the markers taken out. */
export function stripSolutionMarkers(source: string): string {
  return source
    .split("\n")
    .filter(
      (line) => !marker("BEGIN", "SOLUTION").test(line) && !marker("END", "SOLUTION").test(line),
    )
    .join("\n");
}
