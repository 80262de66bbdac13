/**
 * armShutdownDeadline makes the process exit with status 1 if it is still alive `ms` after a stop signal, naming what
 * was stopping: a hung shutdown step (a runtime call without a deadline, a handle left open) must not leave a node
 * agent or server running forever after SIGTERM. The timer does not itself keep the process alive.
 */
export function armShutdownDeadline(what: string, ms: number, write: (line: string) => void = (l) => process.stderr.write(l)): void {
  const timer = setTimeout(() => {
    write(`${what}: still shutting down after ${Math.round(ms / 1000)} s; exiting\n`);
    process.exit(1);
  }, ms);
  timer.unref();
}
