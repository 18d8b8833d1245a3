import type { PageEnv } from "./env.ts";

// Markdown cells are sanitised as a whole after rendering (raw HTML may be
// split over several inline tokens, so it cannot be cleaned token by token).
// HTML that the build itself generated (highlighted code, KaTeX) is parked in
// env.slots behind a placeholder the sanitiser keeps, then put back.

export const SLOT_TAG = "ipc-slot";

export function slot(env: PageEnv, html: string): string {
  env.slots.push(html);
  return `<${SLOT_TAG} data-n="${env.slots.length - 1}"></${SLOT_TAG}>`;
}

const PLACEHOLDER = new RegExp(`<${SLOT_TAG} data-n="(\\d+)"></${SLOT_TAG}>`, "g");

export function fillSlots(html: string, env: PageEnv): string {
  // Slots may nest (code inside an admonition): substitute until none remain.
  for (let depth = 0; depth < 8 && html.includes(`<${SLOT_TAG}`); depth++) {
    html = html.replace(PLACEHOLDER, (_, n: string) => env.slots[Number(n)] ?? "");
  }
  return html;
}
