import sanitizeHtml from "sanitize-html";
import { SLOT_TAG } from "../markdown/slots.ts";

// Raw HTML in Markdown is the one place a notebook author (or a student's
// pull request) can put arbitrary markup on the site. Keep what Markdown
// itself produces plus common inline HTML; drop scripts, event handlers,
// styles, iframes and javascript: URLs.

const HEADING_ATTRS = ["id", "tabindex"];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    "img",
    "details",
    "summary",
    "kbd",
    "del",
    "ins",
    "mark",
    "s",
    "sub",
    "sup",
    "small",
    "picture",
    "source",
    SLOT_TAG,
  ],
  allowedAttributes: {
    "*": ["lang", "dir", "title", "class"],
    a: ["href", "name", "id", "rel", "aria-hidden"],
    img: ["src", "alt", "width", "height", "loading"],
    source: ["srcset", "media", "type"],
    h1: HEADING_ATTRS,
    h2: HEADING_ATTRS,
    h3: HEADING_ATTRS,
    h4: HEADING_ATTRS,
    h5: HEADING_ATTRS,
    h6: HEADING_ATTRS,
    div: ["role"],
    ol: ["start", "type"],
    td: ["style", "colspan", "rowspan"],
    th: ["style", "colspan", "rowspan", "scope"],
    details: ["open"],
    [SLOT_TAG]: ["data-n"],
  },
  // Markdown table alignment is the only inline style kept.
  allowedStyles: { "*": { "text-align": [/^(left|right|center)$/] } },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["http", "https", "data"] },
  allowProtocolRelative: false,
};

export function sanitize(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
