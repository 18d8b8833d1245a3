// VitePress-style build steps: each named, timed, and reported on one line.

export interface TaskLog {
  (line: string): void;
}

export async function task<T>(name: string, run: () => Promise<T> | T, log: TaskLog): Promise<T> {
  const start = performance.now();
  try {
    const result = await run();
    log(`  ✓ ${name} (${Math.round(performance.now() - start)} ms)`);
    return result;
  } catch (error) {
    log(`  ✗ ${name}`);
    throw error;
  }
}
