/** The names of POSIX IPC objects (shm_open, sem_open, mq_open). */
import { NAME_MAX } from "./constants";
import { invalidType, invalidValue, show } from "./errors";

/**
 * `name` must be a portable POSIX object name: "/", then 1 to NAME_MAX bytes
 * with no other "/". Shared memory, semaphores and message queues take them.
 */
export function checkPosixName(name: unknown): string {
  if (typeof name !== "string") throw invalidType(`name must be a string, got ${show(name)}`);
  if (name === "") throw invalidValue(`name must not be empty: POSIX names look like "/OS"`);
  if (!name.startsWith("/")) {
    throw invalidValue(`name must start with "/" (like "/OS"), got ${show(name)}`);
  }
  const rest = name.slice(1);
  if (rest === "" || rest === "." || rest === "..") {
    throw invalidValue(`name needs a file name after the "/", got ${show(name)}`);
  }
  if (rest.includes("/")) {
    throw invalidValue(`name must have no "/" after the first one, got ${show(name)}`);
  }
  if (rest.includes("\0")) throw invalidValue(`name must not contain a NUL byte`);
  const bytes = Buffer.byteLength(rest);
  if (bytes > NAME_MAX) {
    throw invalidValue(
      `name must be at most ${NAME_MAX} bytes after the "/" (NAME_MAX), got ${bytes}`,
    );
  }
  return name;
}
