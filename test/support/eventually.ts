/** Polls a condition until it holds or the time is up (for what a server does after it has answered). */
export async function eventually(condition: () => Promise<boolean>, withinMilliseconds = 10_000): Promise<void> {
  const deadline = Date.now() + withinMilliseconds;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition did not come true in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
