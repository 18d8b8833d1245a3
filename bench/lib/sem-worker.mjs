// One side of `npm run bench -- sem`'s TypeScript ping-pong (run under taskset
// when pinned): `ping SHM N MODE` posts the sem_t at 0 and waits on the one
// at 32, N times, and prints "ns=<per round trip>"; `pong SHM N MODE` does
// the reverse. MODE: "sync" (waitSync(): sem_wait on this thread, as C),
// "async" (await wait()), or a number: await wait({ spin: MODE }), that many
// microseconds of sem_trywait first.
import { SharedMemory, UnnamedSemaphore } from "ipc-lab";

const [role, name, count, mode = "async"] = process.argv.slice(2);
const n = Number(count);
const sync = mode === "sync";
const options = { spin: sync || mode === "async" ? 0 : Number(mode) };
const shm = SharedMemory.open(name);
const ping = UnnamedSemaphore.at(shm, 0);
const pong = UnnamedSemaphore.at(shm, 32);
try {
  if (role === "pong") {
    console.log("ready");
    for (let i = 0; i < n; i++) {
      if (sync) ping.waitSync();
      else await ping.wait(options);
      pong.post();
    }
  } else {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      ping.post();
      if (sync) pong.waitSync();
      else await pong.wait(options);
    }
    console.log(`ns=${Number(process.hrtime.bigint() - start) / n}`);
  }
} finally {
  ping.close();
  pong.close();
  shm.close();
}
