/**
 * Two cells per phase that check the kernel still reports honestly: one
 * must fail, one must print a value derived from a nonce. A submission that
 * rewrote how the kernel reports results fails one of them.
 */
import { randomBytes } from "node:crypto";
import type { CellReport } from "../sandbox/run.ts";

export interface Probes {
  cells: { id: string; source: string }[];
  /** null when the kernel was honest (or the probes did not run). */
  verify(cells: Map<string, CellReport>): string | null;
}

export function probes(): Probes {
  const failMark = randomBytes(6).toString("hex");
  const okMark = randomBytes(6).toString("hex");
  return {
    cells: [
      {
        id: "probe-fail",
        source: `throw new Error("probe " + ${JSON.stringify(failMark)}.toUpperCase());`,
      },
      { id: "probe-ok", source: `console.log([..."${okMark}"].reverse().join(""));` },
    ],
    verify(cells) {
      const fail = cells.get("probe-fail");
      const ok = cells.get("probe-ok");
      const reversed = [...okMark].reverse().join("");
      if (!fail || !ok || fail.status === "not-run" || ok.status === "not-run") return null;
      if (fail.status !== "error" || !fail.output.includes(failMark.toUpperCase())) {
        return "a cell that must fail was reported as passing: the submission changed how the kernel reports results";
      }
      if (ok.status !== "ok" || !ok.output.includes(reversed)) {
        return "a cell that must pass did not print what it computed: the submission changed the kernel's output";
      }
      return null;
    },
  };
}
