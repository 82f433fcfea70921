// Pure helpers of the protocol editor (tested in protocols.model.test.ts).

/** A fresh step key: the server takes `[a-z_]{2,40}` (no digits), so `step_a`, `step_b`… `step_aa`… */
export function newStepKey(steps: { key: string }[]): string {
  const letters = (n: number): string =>
    n < 26 ? String.fromCharCode(97 + n) : letters(Math.floor(n / 26) - 1) + letters(n % 26);
  let n = 0;
  while (steps.some((s) => s.key === `step_${letters(n)}`)) n++;
  return `step_${letters(n)}`;
}
