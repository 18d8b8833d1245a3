// One side of `npm run bench -- sem`'s TypeScript ping-pong (run under taskset
// when pinned): `ping SHM N` posts the sem_t at 0 and awaits the one at 32,
// N times, and prints "ns=<per round trip>"; `pong SHM N` does the reverse.
// An optional last argument SPIN is wait()'s spin: microseconds of sem_trywait first.
import { SharedMemory, UnnamedSemaphore } from "ipc-lab";

const [role, name, count, spinArg] = process.argv.slice(2);
const n = Number(count);
const options = { spin: Number(spinArg ?? 0) };
const shm = SharedMemory.open(name);
const ping = UnnamedSemaphore.at(shm, 0);
const pong = UnnamedSemaphore.at(shm, 32);
try {
  if (role === "pong") {
    console.log("ready");
    for (let i = 0; i < n; i++) {
      await ping.wait(options);
      pong.post();
    }
  } else {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      ping.post();
      await pong.wait(options);
    }
    console.log(`ns=${Number(process.hrtime.bigint() - start) / n}`);
  }
} finally {
  ping.close();
  pong.close();
  shm.close();
}
