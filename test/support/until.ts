/** Waits until `condition` holds, polling every 20 ms; fails the test after `timeoutMillis`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMillis = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
