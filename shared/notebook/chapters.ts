/**
 * Which files are the course's chapters: notebooks/NN-topic.ipynb, with a
 * name that is also a page name. One definition for the notebook tests,
 * `npm run notebooks:execute` and the site, so nothing is tested but not
 * published, or published but not tested.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";

export const CHAPTER_FILE = /^(\d\d)-[\w.-]+\.ipynb$/;

/** The chapter files' names in `dir`, in lecture order (by their number). */
export async function chapterNames(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => CHAPTER_FILE.test(name)).sort();
}

/** The same, as absolute paths. */
export async function chapterPaths(dir: string): Promise<string[]> {
  return (await chapterNames(dir)).map((name) => path.join(dir, name));
}
