// One owner type for every mechanism's descriptor (lib/descriptor.ts):
// close once, `using`, EBADF after close naming the call, pending waits
// cancelled first, a finalizer for one dropped without close(), and raw
// close() of an owned number closing its owner too (never a double close).
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { close, Descriptor, openFds, pipe, read, writeSync } from "ipc-lab";

const fixtures = path.join(import.meta.dirname, "fixtures");

/** A pipe whose read end is owned by a Descriptor, as a FIFO or queue would be. */
function ownedPipe(): [Descriptor, number] {
  const [r, w] = pipe();
  return [new Descriptor(r, "pipe (read end)"), w];
}

const isOpen = (fd: number) => openFds().some((entry) => entry.fd === fd);

test("close() closes once; later uses are EBADF naming the call and the object", () => {
  const [owner, w] = ownedPipe();
  const fd = owner.fd;
  owner.close();
  owner.close(); // idempotent
  expect(owner.closed).toBe(true);
  expect(isOpen(fd)).toBe(false);
  expect(() => owner.fd).toThrow(
    expect.objectContaining({
      code: "EBADF",
      syscall: "fd",
      message: "fd: EBADF (Bad file descriptor): 'pipe (read end)' is closed",
    }),
  );
  close(w);
});

test("`using` closes at the end of the block", () => {
  let fd = -1;
  const [r, w] = pipe();
  {
    using owner = new Descriptor(r, "pipe");
    fd = owner.fd;
    expect(isOpen(fd)).toBe(true);
  }
  expect(isOpen(fd)).toBe(false);
  close(w);
});

test("closing the owner rejects its pending waits with EBADF first", async () => {
  const [owner, w] = ownedPipe();
  const fd = owner.fd;
  const pending = read(fd, 10);
  owner.close();
  await expect(pending).rejects.toMatchObject({ code: "EBADF", fd });
  close(w);
});

test("close(n) of an owned number closes the owner: its finalizer will not close a reused number", () => {
  const [owner, w] = ownedPipe();
  const fd = owner.fd;
  close(fd);
  expect(owner.closed).toBe(true);
  owner.close(); // no second close(2): it would hit whatever reuses fd
  const [r2, w2] = pipe(); // likely reuses fd
  writeSync(w2, "still mine");
  close(r2);
  close(w2);
  close(w);
});

test("a Descriptor dropped without close() is closed when collected, once", async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--expose-gc", path.join(fixtures, "descriptor-gc.mjs")],
    { timeout: 20_000 },
  );
  expect(stdout).toBe("open before gc: 10\nopen after gc: 0\nkept one: open\n");
});

test("a blocking loop's closed Descriptors are collectable before the loop ends (no WeakRef kept per descriptor)", async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--expose-gc", path.join(fixtures, "descriptor-loop-gc.mjs")],
    { timeout: 20_000 },
  );
  expect(stdout).toBe("held after the loop: under 1 MB\n");
});
