/**
 * The TypeScript sequence-number server and client as programs, for
 * processes that are really unrelated (started on their own, finding each
 * other by the FIFO's name only), with the C programs' options and output:
 *   node lib/dist/seqnum-cli.js server [-s FIFO] [-c TEMPLATE] [-n START] [-t S] [-m N] [-D] [-b]
 *   node lib/dist/seqnum-cli.js client [-s FIFO] [-c TEMPLATE] [-t S] [-x] [-b] [SEQLEN]
 * -b: the blocking forms (serveSeqnumSync, seqnumRequestSync), as the C
 * programs are, with no event loop; the client's -t and -x are then refused.
 */
import { native } from "./native";
import { SeqnumServer, seqnumRequest, seqnumRequestSync, serveSeqnumSync } from "./seqnum";

// The blocking server's log, a line per request as C's printf + fflush:
// one write(2) on standard output through the addon, without console.log's
// formatting and stream or fs.writeSync's checks (either cost 3-4 µs a
// request). A standard output that is O_NONBLOCK and full (EAGAIN) hands
// this line and every later one to process.stdout, in order.
let streamed = false;
function writeLine(line: string): void {
  if (!streamed) {
    const bytes = Buffer.from(`${line}\n`);
    let done = 0;
    try {
      while (done < bytes.length) done += native.write(1, bytes, done, bytes.length - done);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== "EAGAIN") throw error;
      streamed = true;
      process.stdout.write(bytes.subarray(done));
      return;
    }
  }
  process.stdout.write(`${line}\n`);
}

function parse(args: string[], valued: string) {
  const flags: Record<string, string | true> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (/^-[a-zA-Z]$/.test(a)) {
      flags[a[1]!] = valued.includes(a[1]!) ? args[++i]! : true;
    } else rest.push(a);
  }
  return { flags, rest };
}

async function server(args: string[]): Promise<number> {
  const { flags } = parse(args, "sctnm");
  const max = flags.m === undefined ? Infinity : Number(flags.m);
  if (flags.b) {
    serveSeqnumSync({
      serverPath: flags.s as string | undefined,
      clientTemplate: flags.c as string | undefined,
      start: flags.n === undefined ? 0 : Number(flags.n),
      replyTimeout: 1000 * (flags.t === undefined ? 2 : Number(flags.t)),
      dummyWriter: !flags.D,
      maxRequests: max,
      log: writeLine,
    });
    return 0;
  }
  let srv: SeqnumServer | undefined = undefined;
  srv = await SeqnumServer.start({
    serverPath: flags.s as string | undefined,
    clientTemplate: flags.c as string | undefined,
    start: flags.n === undefined ? 0 : Number(flags.n),
    replyTimeout: 1000 * (flags.t === undefined ? 2 : Number(flags.t)),
    dummyWriter: !flags.D,
    log: (line) => {
      console.log(line);
      if (srv && srv.served + srv.gone >= max) void srv.close();
    },
  });
  const running = srv;
  if (running.reusedStale) console.log(`reusing stale ${running.serverPath}`);
  console.log(`listening on ${running.serverPath}`);
  const stop = () => void running.close();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  await running.done;
  return 0;
}

async function client(args: string[]): Promise<number> {
  const { flags, rest } = parse(args, "sct");
  if (flags.b) {
    if (flags.t !== undefined || flags.x) throw new Error("-b takes neither -t nor -x");
    const seqLen = rest[0] === undefined ? 1 : Number(rest[0]);
    const paths = {
      serverPath: flags.s as string | undefined,
      clientTemplate: flags.c as string | undefined,
    };
    console.log(String(seqnumRequestSync(seqLen, paths)));
    return 0;
  }
  const seqNum = await seqnumRequest(rest[0] === undefined ? 1 : Number(rest[0]), {
    serverPath: flags.s as string | undefined,
    clientTemplate: flags.c as string | undefined,
    timeout: 1000 * (flags.t === undefined ? 10 : Number(flags.t)),
    vanish: flags.x === true,
  });
  if (seqNum !== undefined) console.log(String(seqNum));
  return 0;
}

const [role, ...args] = process.argv.slice(2);
const main = role === "server" ? server : role === "client" ? client : undefined;
if (!main) {
  console.error("usage: seqnum-cli.js server|client [options]");
  process.exitCode = 2;
} else {
  main(args).then(
    (code) => (process.exitCode = code),
    (error: Error) => {
      console.error(`seqnum ${role}: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
