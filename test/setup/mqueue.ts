/**
 * Mounts /dev/mqueue (scripts/mount-mqueue.sh) before the leak check takes
 * its snapshot: the kernel shows POSIX message queues only there, and
 * test/setup/leaks.ts must see the same directory at the start and the end.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";

export default function setup(): void {
  execFileSync("bash", [path.join(import.meta.dirname, "..", "..", "scripts", "mount-mqueue.sh")], {
    stdio: "inherit",
  });
}
