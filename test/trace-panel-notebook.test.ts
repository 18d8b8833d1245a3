// The trace and the panel in a notebook executed by the harness in a real
// tslab kernel: the trace tables and the panel's still picture (redrawn in
// place by later cells, then stopped) reproduce their stored outputs.
import path from "node:path";
import { expect, test } from "vitest";
import { executeNotebook, readNotebook } from "../shared/notebook/execute.ts";
import { notebookProblems } from "../shared/notebook/check.ts";
import { text, type CodeCell } from "../shared/notebook/format.ts";

const file = path.join(import.meta.dirname, "fixtures", "notebooks", "trace-panel.ipynb");

test("trace-panel.ipynb runs top to bottom and reproduces its stored outputs", async () => {
  const stored = await readNotebook(file);
  const { notebook, failures } = await executeNotebook(file);
  expect(notebookProblems(file, stored, notebook, failures).map((p) => p.message)).toEqual([]);
  // The panel's display, made in cell 3, shows the state of the cell that stopped it.
  const panel = notebook.cells[2] as CodeCell;
  const svg = panel.outputs
    .map((o) => ("data" in o ? text(o.data["image/svg+xml"] as string) : ""))
    .join("");
  expect(svg).toMatch(/holds the write end too: no EOF/);
  expect(svg).toMatch(/zombie \(Z\)/);
}, 300_000);
