/**
 * Waits until `condition` holds, polling every `intervalMillis` (20 ms by default; a condition that
 * asks the gateway over HTTP should poll more slowly, or the demo client's rate limit answers 429);
 * fails the test after `timeoutMillis`.
 */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMillis = 20_000, intervalMillis = 20): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMillis));
  }
}
