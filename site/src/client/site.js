// Progressive enhancement for the course site. Every page is readable without
// this script; it adds the theme toggle, copy buttons, and search (whose code
// and index load only when the reader first uses the search box).

const root = document.documentElement;
const THEME_KEY = "ipc-lab-theme";

// Theme: the page follows the system until the reader picks one; the pick is
// stored and applied before first paint by the inline script in <head>.
function effectiveTheme() {
  return (
    root.dataset.theme ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light")
  );
}

for (const button of document.querySelectorAll(".theme-toggle")) {
  const sync = () => button.setAttribute("aria-pressed", String(effectiveTheme() === "dark"));
  sync();
  button.addEventListener("click", () => {
    const next = effectiveTheme() === "dark" ? "light" : "dark";
    root.dataset.theme = next;
    try {
      localStorage.setItem(THEME_KEY, next);
    } catch {
      // Storage can be disabled; the choice then lasts for this page only.
    }
    sync();
  });
}

// Copy buttons on every code block (code cells and fenced code alike).
for (const pre of document.querySelectorAll("article pre.shiki")) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "copy";
  button.textContent = "Copy";
  button.setAttribute("aria-label", "Copy code");
  button.addEventListener("click", async () => {
    const code = pre.querySelector("code")?.innerText ?? pre.innerText;
    try {
      await navigator.clipboard.writeText(code.replace(/\n$/, ""));
      button.textContent = "Copied";
    } catch {
      button.textContent = "Press Ctrl+C";
      getSelection()?.selectAllChildren(pre);
    }
    setTimeout(() => (button.textContent = "Copy"), 1500);
  });
  const wrap = document.createElement("div");
  wrap.className = "code-block";
  pre.replaceWith(wrap);
  wrap.append(pre, button);
}

// The chapters drawer (a CSS checkbox toggle) also answers the keyboard.
const navButton = document.querySelector(".nav-button");
const navToggle = document.getElementById("nav-toggle");
if (navButton && navToggle) {
  navButton.setAttribute("role", "button");
  navButton.setAttribute("tabindex", "0");
  navButton.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      navToggle.checked = !navToggle.checked;
    }
  });
}

// Search: load the module on first interest, then hand it the box.
const input = document.getElementById("search-input");
const results = document.getElementById("search-results");
if (input && results) {
  let ready;
  const load = () => (ready ??= import("./search.js").then((m) => m.attach(input, results)));
  input.addEventListener("focus", load, { once: true });
  input.addEventListener("input", load, { once: true });
  input.closest("form")?.addEventListener("submit", (event) => event.preventDefault());
  document.addEventListener("keydown", (event) => {
    const typing =
      event.target instanceof HTMLElement &&
      event.target.closest("input, textarea, [contenteditable]");
    if (event.key === "/" && !typing) {
      event.preventDefault();
      input.focus();
    }
  });
}

// The table of contents marks the section being read.
const tocLinks = [...document.querySelectorAll("aside.toc a")];
const sections = tocLinks
  .map((link) => [document.getElementById(decodeURIComponent(link.hash.slice(1))), link])
  .filter(([heading]) => heading);
if (sections.length > 0) {
  let queued = false;
  const mark = () => {
    queued = false;
    const line = innerHeight * 0.25;
    let current = sections[0];
    for (const section of sections) {
      if (section[0].getBoundingClientRect().top <= line) current = section;
    }
    // At the very bottom the last sections may never reach the line: the last one is being read.
    if (innerHeight + scrollY >= document.documentElement.scrollHeight - 2)
      current = sections.at(-1);
    for (const [, link] of sections) link.toggleAttribute("aria-current", link === current[1]);
  };
  addEventListener("scroll", () => (queued ||= (requestAnimationFrame(mark), true)), {
    passive: true,
  });
  mark();
}
