import { readdir, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import { Parser } from "htmlparser2";

// Every href and src in the built site must name a file that exists, and
// every #fragment an id on the page it points to. External URLs are not
// fetched (the site must build offline); they are only counted.

export interface BrokenLink {
  page: string;
  url: string;
  reason: string;
}

interface PageInfo {
  ids: Set<string>;
  links: string[];
}

const URL_ATTRS: Record<string, string[]> = {
  a: ["href"],
  link: ["href"],
  script: ["src"],
  img: ["src"],
  source: ["src"],
};

function scan(html: string): PageInfo {
  const ids = new Set<string>();
  const links: string[] = [];
  const parser = new Parser({
    onopentag(name, attrs) {
      if (attrs.id) ids.add(attrs.id);
      if (name === "a" && attrs.name) ids.add(attrs.name);
      for (const attr of URL_ATTRS[name] ?? []) {
        const value = attrs[attr];
        if (value !== undefined) links.push(value);
      }
    },
  });
  parser.write(html);
  parser.end();
  return { ids, links };
}

async function htmlFiles(dir: string, base = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return htmlFiles(path, base);
      return e.name.endsWith(".html") ? [relative(base, path).split(sep).join("/")] : [];
    }),
  );
  return nested.flat();
}

export async function checkLinks(
  root: string,
): Promise<{ broken: BrokenLink[]; checked: number; pages: number }> {
  const pages = new Map<string, PageInfo>();
  for (const name of await htmlFiles(root))
    pages.set(name, scan(await readFile(join(root, name), "utf8")));
  const broken: BrokenLink[] = [];
  let checked = 0;
  for (const [page, info] of pages) {
    for (const url of info.links) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith("//")) continue; // external
      checked++;
      const [pathPart = "", fragment] = url.split("#", 2);
      const target =
        pathPart === ""
          ? page
          : posix.normalize(posix.join(posix.dirname(page), decodeURIComponent(pathPart)));
      if (target.startsWith("..")) {
        broken.push({ page, url, reason: "points outside the site" });
        continue;
      }
      const file = target.endsWith("/") ? `${target}index.html` : target;
      if (!existsSync(join(root, file))) {
        broken.push({ page, url, reason: `no file ${file}` });
        continue;
      }
      if (fragment && file.endsWith(".html")) {
        const ids = pages.get(file)?.ids;
        if (!ids?.has(decodeURIComponent(fragment)))
          broken.push({ page, url, reason: `no id "${fragment}" in ${file}` });
      }
    }
  }
  return { broken, checked, pages: pages.size };
}
