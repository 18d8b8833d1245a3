/**
 * Showing rich output: inside a tslab kernel, through the kernel's own tslab
 * module (cells reach it as `__tslab__.require("tslab")`); elsewhere, as text
 * on stdout.
 */
export interface Display {
  html(s: string): void;
  svg(s: string): void;
  text(s: string): void;
}

interface Tslab {
  display: Display;
  newDisplay(): Display;
}

/** The running kernel's tslab module, or undefined outside a notebook. */
export function tslab(): Tslab | undefined {
  const hook = (globalThis as { __tslab__?: { require?: (id: string) => unknown } }).__tslab__;
  if (typeof hook?.require !== "function") return undefined;
  try {
    return hook.require("tslab") as Tslab;
  } catch {
    return undefined;
  }
}

/** Escapes text for HTML and SVG. */
export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );
}
