// Client-side full-text search over the index built at build time.
import MiniSearch from "./minisearch.js";

const MAX_RESULTS = 8;

async function loadIndex() {
  const response = await fetch(new URL("../search-index.json", import.meta.url));
  if (!response.ok) throw new Error(`search index: HTTP ${response.status}`);
  const { options, index } = await response.json();
  return MiniSearch.loadJS(index, options);
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Escapes text and wraps the words search matched in <mark>. */
function highlight(text, terms) {
  const words = terms
    .filter((t) => t.length >= 2)
    .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (words.length === 0) return escapeHtml(text);
  // Only where a word starts: search matched prefixes, not the middle of words.
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${words.join("|")})`, "giu");
  return text
    .split(pattern)
    .map((part, i) => (i % 2 ? `<mark>${escapeHtml(part)}</mark>` : escapeHtml(part)))
    .join("");
}

export async function attach(input, results) {
  let search;
  try {
    search = await loadIndex();
  } catch (error) {
    // A page opened from file:// cannot fetch the index; say so instead of failing silently.
    input.placeholder = "Search needs the site served over HTTP";
    console.warn(error);
    return;
  }
  let active = -1;

  const links = () => [...results.querySelectorAll("a")];
  const setActive = (i) => {
    const all = links();
    active = Math.max(-1, Math.min(i, all.length - 1));
    all.forEach((a, j) => a.setAttribute("aria-selected", String(j === active)));
    all[active]?.scrollIntoView({ block: "nearest" });
  };

  const render = () => {
    const query = input.value.trim();
    if (query.length < 2) {
      results.hidden = true;
      results.innerHTML = "";
      return;
    }
    const hits = search.search(query, {
      prefix: true,
      fuzzy: (term) => (term.length > 4 ? 0.2 : 0),
      boost: { heading: 3, chapter: 1.5 },
      combineWith: "AND",
    });
    const terms = [...new Set(hits.flatMap((h) => h.terms))];
    results.innerHTML = hits.length
      ? hits
          .slice(0, MAX_RESULTS)
          .map(
            (hit) =>
              `<a role="option" href="${escapeHtml(hit.url)}"><span class="result-chapter">${escapeHtml(hit.chapter)}</span>` +
              `<span class="result-heading">${highlight(hit.heading, terms)}</span>` +
              `<span class="result-excerpt">${highlight(hit.excerpt, terms)}</span></a>`,
          )
          .join("")
      : `<p class="no-results">No results for “${escapeHtml(query)}”</p>`;
    results.hidden = false;
    active = -1;
  };

  input.addEventListener("input", render);
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") setActive(active + 1);
    else if (event.key === "ArrowUp") setActive(active - 1);
    else if (event.key === "Enter") links()[Math.max(active, 0)]?.click();
    else if (event.key === "Escape") {
      results.hidden = true;
      input.blur();
    } else return;
    event.preventDefault();
  });
  document.addEventListener("click", (event) => {
    if (!input.closest("form").contains(event.target)) results.hidden = true;
  });
  input.addEventListener("focus", () => {
    if (results.innerHTML) results.hidden = false;
  });
  render();
}
