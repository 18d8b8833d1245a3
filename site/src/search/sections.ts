import { Parser } from "htmlparser2";

export interface Section {
  /** Page-relative URL: "01-shared-memory.html#ftruncate". */
  url: string;
  chapter: string;
  heading: string;
  text: string;
}

// Elements whose text a search should not match: outputs (long, noisy), the
// "#" permalinks, KaTeX's MathML copy, the chapter toolbar.
const SKIP = /\b(outputs|anchor|katex-mathml|chapter-tools)\b/;
const HEADING = /^h[1-3]$/;

/** Splits a rendered chapter into one searchable section per h1–h3. */
export function extractSections(html: string, page: string, chapter: string): Section[] {
  const sections: Section[] = [];
  let current: Section = { url: page, chapter, heading: chapter, text: "" };
  let skipDepth = 0;
  let depth = 0;
  let inHeading = false;
  let headingText = "";
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        depth++;
        if (skipDepth) return;
        if (SKIP.test(attrs.class ?? "")) {
          skipDepth = depth;
        } else if (HEADING.test(name) && attrs.id) {
          sections.push(current);
          current = { url: `${page}#${attrs.id}`, chapter, heading: "", text: "" };
          inHeading = true;
          headingText = "";
        }
      },
      ontext(data) {
        if (skipDepth) return;
        if (inHeading) headingText += data;
        else current.text += data;
      },
      onclosetag(name) {
        if (skipDepth === depth) skipDepth = 0;
        depth--;
        if (inHeading && HEADING.test(name)) {
          inHeading = false;
          current.heading = headingText.replace(/\s+/g, " ").trim();
        }
        if (/^(p|li|pre|div|h\d|td|th|tr)$/.test(name)) current.text += " ";
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  sections.push(current);
  return sections
    .map((s) => ({ ...s, text: s.text.replace(/\s+/g, " ").trim() }))
    .filter((s) => s.text || s.url.includes("#"));
}
