/**
 * Waiting in tests without sleeping a fixed time: a check polled with a growing delay until a deadline.
 * (scripts/demo.js keeps its own copy: it runs as plain JavaScript before anything is built.)
 */

/**
 * Polls `check` (every 50 ms at first, doubling to 500 ms) until it is true; after `deadlineMs` throws an
 * error naming `what` and adding `explain()` (logs, output) to say why.
 * @example
 * await pollUntil('the server to listen', 30_000, () => fs.existsSync(portFile), () => serverLog);
 */
export async function pollUntil(
  what: string,
  deadlineMs: number,
  check: () => boolean | Promise<boolean>,
  explain: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let delay = 50;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
  throw new Error(`${what} did not happen within ${deadlineMs} ms.\n${explain()}`);
}
