// The glossary is the chapters' own vocabulary: every term that names a
// chapter is used there (in English or in the lecture's Korean), and every
// chapter contributes its terms.
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { GLOSSARY } from "../site/src/glossary.ts";

const notebooks = readdirSync("notebooks").filter((name) => /^\d\d-.*\.ipynb$/.test(name));

function prose(chapter: number): string {
  const file = notebooks.find((name) => Number(name.slice(0, 2)) === chapter);
  if (file === undefined) throw new Error(`no notebook for chapter ${chapter}`);
  const cells = JSON.parse(readFileSync(`notebooks/${file}`, "utf8")).cells as {
    cell_type: string;
    source: string[] | string;
  }[];
  return cells
    .filter((cell) => cell.cell_type === "markdown")
    .map((cell) => (Array.isArray(cell.source) ? cell.source.join("") : cell.source))
    .join("\n");
}

describe("the glossary", () => {
  test.each(GLOSSARY.filter((term) => term.chapter !== undefined).map((term) => [term.en, term]))(
    "%s is used by the chapter it names",
    (_, term) => {
      const text = prose(term.chapter!).toLowerCase();
      const names = [...term.en.split(/, | \(|\)/), ...term.ko.split(", ")].filter(Boolean);
      const used = names.map((name) => name.trim().toLowerCase()).filter((n) => text.includes(n));
      expect(used, `chapter ${term.chapter} uses none of ${names.join(" / ")}`).not.toEqual([]);
    },
  );

  test("every chapter has terms in it", () => {
    const taught = new Set(GLOSSARY.map((term) => term.chapter));
    for (const name of notebooks) expect(taught, name).toContain(Number(name.slice(0, 2)));
  });

  test("no term is listed twice", () => {
    const names = GLOSSARY.map((term) => term.en);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });
});
