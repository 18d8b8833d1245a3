// A4's sender: a separate process that sends SIGRTMIN+1 to PID once per
// value, each carrying its value (sigqueue). Usage: node sender.mjs PID v1 v2 ...
// It prints "sent N" when done.
import { sigqueue } from "ipc-lab";

const [pid, ...values] = process.argv.slice(2);
if (!pid) {
  console.error("usage: node sender.mjs PID VALUE...");
  process.exit(2);
}
for (const value of values) sigqueue(Number(pid), "SIGRTMIN+1", Number(value));
console.log(`sent ${values.length}`);
