/**
 * Installs the system packages the tests need (scripts/install-system-deps.sh:
 * Chromium, rpcbind, strace, …) once, before any test file runs: files run two
 * at a time, and one must not find Chromium half-installed by another.
 * Idempotent and quiet when everything is there.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

export default function setup(): void {
  const script = path.resolve(import.meta.dirname, "../../scripts/install-system-deps.sh");
  const install = spawnSync("bash", [script], { stdio: "inherit" });
  if (install.status !== 0)
    throw new Error(
      `scripts/install-system-deps.sh exited with ${install.status ?? install.signal}`,
    );
}
