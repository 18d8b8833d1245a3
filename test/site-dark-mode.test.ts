import { expect, test } from "vitest";
import { withSystemDarkMode } from "../site/src/dark-mode.ts";

test("the dark palette is repeated for readers who follow the system", () => {
  const css =
    ':root {\n  --bg: #fff;\n}\n\n:root[data-theme="dark"] {\n  --bg: #000;\n  --fg: #eee;\n}\n\nbody { color: var(--fg); }\n';
  expect(withSystemDarkMode(css)).toBe(
    ':root {\n  --bg: #fff;\n}\n\n:root[data-theme="dark"] {\n  --bg: #000;\n  --fg: #eee;\n}\n\n' +
      '@media (prefers-color-scheme: dark) {\n  :root:not([data-theme="light"]) {\n    --bg: #000;\n    --fg: #eee;\n  }\n}\n\nbody { color: var(--fg); }\n',
  );
});

test("a stylesheet without a dark palette is refused", () => {
  expect(() => withSystemDarkMode(":root { --bg: #fff; }")).toThrow(
    /no :root\[data-theme="dark"\]/,
  );
});
