// A2's consumer: a separate process that maps the record area read-only and
// prints what it finds as JSON. Usage: node consumer.mjs /name
//
// It runs after the producer has finished and unmapped, so it reads count
// with a plain load (in a copy). A consumer reading while the producer writes
// needs an acquire load of count (Atomics.load, or __atomic_load_n with
// __ATOMIC_ACQUIRE in C), paired with the producer's release store.
import { SharedMemory } from "ipc-lab";

const CAPACITY = 64;
const HEADER = 8;
const RECORD = 16;

const [name] = process.argv.slice(2);
if (!name) {
  console.error("usage: node consumer.mjs /name");
  process.exit(2);
}
const shm = SharedMemory.open(name, { readonly: true });
try {
  const bytes = shm.read(0, shm.size); // a read-only mapping hands out copies, not a DataView
  const count = bytes.readInt32LE(0);
  if (count < 0 || count > CAPACITY || HEADER + count * RECORD > shm.size) {
    console.error(
      `consumer: count at offset 0 is ${count}, outside 0..${CAPACITY} for a ${shm.size}-byte object`,
    );
    process.exit(1);
  }
  const records = [];
  for (let i = 0; i < count; i++) {
    records.push({
      id: bytes.readInt32LE(HEADER + i * RECORD),
      value: bytes.readDoubleLE(HEADER + i * RECORD + 8),
    });
  }
  console.log(JSON.stringify({ size: shm.size, count, records }));
} finally {
  shm.close();
}
