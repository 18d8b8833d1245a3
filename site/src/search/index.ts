import MiniSearch from "minisearch";
import type { Section } from "./sections.ts";

// One MiniSearch index for the whole site, serialised at build time and
// fetched by the browser only when the reader first uses the search box.
// The client must construct MiniSearch with the same options, so they travel
// inside the index file.

export const SEARCH_OPTIONS = {
  fields: ["heading", "text", "chapter"],
  storeFields: ["url", "chapter", "heading", "excerpt"],
} as const;

export function buildSearchIndex(sections: Section[]): string {
  const search = new MiniSearch({
    ...SEARCH_OPTIONS,
    fields: [...SEARCH_OPTIONS.fields],
    storeFields: [...SEARCH_OPTIONS.storeFields],
  });
  search.addAll(
    sections.map((section, id) => ({
      id,
      ...section,
      excerpt:
        section.text.length > 160
          ? `${section.text.slice(0, 160).replace(/\s+\S*$/, "")}…`
          : section.text,
    })),
  );
  return JSON.stringify({ options: SEARCH_OPTIONS, index: search });
}
