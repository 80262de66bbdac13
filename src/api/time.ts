// Most calls in a busy second format the same second; the last result is kept.
let lastSecond = Number.NaN;
let lastText = '';

/** formatTime renders milliseconds since the epoch as metav1.Time does: RFC 3339 in UTC, whole seconds. */
export function formatTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    lastSecond = second;
  }
  return lastText;
}
