import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * A lock file next to what is being built, so that parallel processes (test workers) build a
 * model once. A lock whose process is gone, or older than ten minutes, is taken over.
 */
const LOCK_STALE_MS = 10 * 60 * 1000;

/** Whether no process has this id any more (a build killed midway). */
export function processIsGone(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function lockIsStale(lock: string): boolean {
  try {
    if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) return true;
    return processIsGone(Number(readFileSync(lock, "utf8").trim()));
  } catch {
    return false;
  }
}

/** Runs `fn` holding `lock`, after `cleanUp` (removing what killed builds left behind). */
export async function withFileLock<T>(lock: string, cleanUp: () => void, fn: () => T): Promise<Awaited<T>> {
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (lockIsStale(lock)) {
        rmSync(lock, { force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    cleanUp();
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
