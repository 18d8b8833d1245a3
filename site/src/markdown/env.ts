import type { Env } from "markdown-it";
import type { MimeBundle } from "../../../shared/notebook/format.ts";
import type { AssetSink } from "../render/assets.ts";

export interface Heading {
  level: number;
  id: string;
  text: string;
}

/**
 * markdown-it's `env` for one page: every Markdown cell and Markdown output of
 * a chapter is rendered with the same object, so heading ids stay unique
 * across cells and the page learns what it needs (math CSS, its headings).
 */
export interface PageEnv extends Env {
  /** Read and written by markdown-it-anchor to de-duplicate ids. */
  markdownItAnchor?: { slugs: Record<string, boolean> };
  headings: Heading[];
  hasMath: boolean;
  /** Trusted HTML (highlighted code, KaTeX) kept out of the sanitiser's way. */
  slots: string[];
  /** Chapter stems that exist, e.g. "01-shared-memory", for .ipynb links. */
  chapters: ReadonlySet<string>;
  assets: AssetSink;
  /** Where relative image paths in Markdown resolve from: the notebooks' folder. */
  sourceDir?: string;
  /** The current Markdown cell's attachments (`![](attachment:x.png)`). */
  attachments?: Record<string, MimeBundle>;
}

/** Ids the page layout itself uses; headings must not take them. */
export const RESERVED_IDS = [
  "main",
  "content",
  "search",
  "search-input",
  "search-results",
  "nav-toggle",
  "toc",
  "chapters",
];

export function createPageEnv(
  chapters: ReadonlySet<string>,
  assets: AssetSink,
  sourceDir?: string,
): PageEnv {
  const slugs = Object.fromEntries(RESERVED_IDS.map((id) => [id, true]));
  return {
    markdownItAnchor: { slugs },
    headings: [],
    hasMath: false,
    slots: [],
    chapters,
    assets,
    sourceDir,
  };
}
