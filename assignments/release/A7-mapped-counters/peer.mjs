// A7's peer: another process that maps the same counter file with MAP_SHARED
// and reads or adds through its own mapping (never through read()/write()).
// Usage: node peer.mjs get PATH INDEX      prints the counter
//        node peer.mjs add PATH INDEX N    adds N (an atomic add), prints the new value
//        node peer.mjs header PATH         prints the magic and the capacity
import { MappedFile } from "ipc-lab";

const HEADER = 8;
const [mode, path, index = "0", n = "1"] = process.argv.slice(2);
if (!mode || !path) {
  console.error("usage: node peer.mjs get|add|header PATH [INDEX] [N]");
  process.exit(2);
}
const file = MappedFile.open(path);
try {
  const bytes = file.bytes;
  const magic = bytes.toString("latin1", 0, 4);
  const capacity = bytes.readInt32LE(4);
  if (mode === "header") {
    console.log(`${magic} ${capacity}`);
  } else {
    const i = Number(index);
    if (magic !== "HITS" || !(i >= 0 && i < capacity) || HEADER + 4 * capacity > file.length) {
      console.error(
        `peer: ${path} is not a counter file with a counter ${i} (magic ${magic}, capacity ${capacity})`,
      );
      process.exit(1);
    }
    const counters = new Int32Array(bytes.buffer, bytes.byteOffset + HEADER, capacity);
    console.log(
      mode === "add" ? Atomics.add(counters, i, Number(n)) + Number(n) : Atomics.load(counters, i),
    );
  }
} finally {
  file.close();
}
