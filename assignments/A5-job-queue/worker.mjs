// A5's worker: a separate process that takes jobs from a POSIX message queue
// and posts what it did on another. Usage: node worker.mjs /JOBS /RESULTS
//
// Protocol (JSON text messages):
//   jobs queue, priority = the job's priority:  {"id": 7, "n": 42}
//   results queue: {"type": "taken", "id": 7, "pid": 1234} as soon as it has the job,
//                  {"type": "done", "id": 7, "pid": 1234, "result": "..."} when finished.
// Each finished job is also printed on stdout as "done 7" (what the tests count),
// just before its result is sent.
// The result depends on A5_SECRET, which only the worker knows.
// Environment: A5_SECRET, A5_WORK_MS (time per job, default 5), A5_START_DELAY_MS
// (wait before the first job, default 0), A5_DIE_AFTER (take that many jobs and
// die by SIGKILL right after taking the last one, without finishing it).
import { createHash } from "node:crypto";
import { MessageQueue } from "ipc-lab";

const [jobsName, resultsName] = process.argv.slice(2);
if (!jobsName || !resultsName) {
  console.error("usage: node worker.mjs /JOBS /RESULTS");
  process.exit(2);
}
const secret = process.env.A5_SECRET ?? "";
const workMs = Number(process.env.A5_WORK_MS ?? 5);
const startDelay = Number(process.env.A5_START_DELAY_MS ?? 0);
const dieAfter = Number(process.env.A5_DIE_AFTER ?? 0);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens a queue the producer makes, waiting (up to 10 s) until it exists. */
async function openWhenThere(name, access) {
  for (let i = 0; ; i++) {
    try {
      return MessageQueue.open(name, { access });
    } catch (error) {
      if (error.code !== "ENOENT" || i >= 500) throw error;
      await sleep(20);
    }
  }
}

const jobs = await openWhenThere(jobsName, "r");
const results = await openWhenThere(resultsName, "w");
if (startDelay > 0) await sleep(startDelay);
let taken = 0;
for (;;) {
  const { data } = await jobs.receive();
  const job = JSON.parse(data.toString());
  await results.send(JSON.stringify({ type: "taken", id: job.id, pid: process.pid }));
  taken++;
  if (dieAfter > 0 && taken >= dieAfter) process.kill(process.pid, "SIGKILL");
  await sleep(workMs);
  const result = createHash("sha256").update(`${secret}:${job.n}`).digest("hex").slice(0, 16);
  process.stdout.write(`done ${job.id}\n`); // first: the tests may stop us once the result is in
  await results.send(JSON.stringify({ type: "done", id: job.id, pid: process.pid, result }));
}
