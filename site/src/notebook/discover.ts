import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { chapterNames } from "../../../shared/notebook/chapters.ts";
import { text, type Notebook } from "../../../shared/notebook/format.ts";

export interface Chapter {
  /** Two-digit lecture position, from the file name: 0 for 00-welcome. */
  number: number;
  /** File stem, e.g. "01-shared-memory"; the page is `${slug}.html`. */
  slug: string;
  /** Absolute path of the .ipynb. */
  path: string;
  /** The first "# " heading, as written: "00 · Welcome: why processes need IPC". */
  title: string;
  /** The title without its leading chapter number, for lists that show the number. */
  shortTitle: string;
  notebook: Notebook;
}

/** Every notebooks/NN-topic.ipynb, in lecture order (by its number). */
export async function discoverChapters(dir: string): Promise<Chapter[]> {
  const names = await chapterNames(dir);
  return Promise.all(
    names.map(async (name) => {
      const path = join(dir, name);
      const notebook = parseNotebook(await readFile(path, "utf8"), path);
      const slug = name.replace(/\.ipynb$/, "");
      const title = chapterTitle(notebook) ?? slug;
      return {
        number: Number(name.slice(0, 2)),
        slug,
        path,
        title,
        shortTitle: title.replace(/^(chapter\s+)?\d+\s*[·.:—–-]\s*/i, "") || title,
        notebook,
      };
    }),
  );
}

export function parseNotebook(json: string, path = "<notebook>"): Notebook {
  let notebook: Notebook;
  try {
    notebook = JSON.parse(json) as Notebook;
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (notebook.nbformat !== 4 || !Array.isArray(notebook.cells)) {
    throw new Error(`${path}: expected an nbformat 4 notebook with a cells array`);
  }
  return notebook;
}

/** The first `# ` heading of the first Markdown cell that has one. */
export function chapterTitle(notebook: Notebook): string | undefined {
  for (const cell of notebook.cells) {
    if (cell.cell_type !== "markdown") continue;
    let inFence = false;
    for (const line of text(cell.source).split("\n")) {
      // A "# comment" inside a fenced shell example is not a heading.
      if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
      const match = inFence ? null : /^#[ \t]+(.+?)[ \t#]*$/.exec(line);
      if (match?.[1]) return stripInlineMarkdown(match[1]);
    }
  }
  return undefined;
}

function stripInlineMarkdown(s: string): string {
  return s
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[`*_]/g, "")
    .trim();
}
