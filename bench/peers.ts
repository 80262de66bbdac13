// The peers Berth's pod figures are compared with: /work/shared/bench/peer-bench.sh (Docker Swarm, Podman
// `kube play`, runc and ctr floors, set up offline in private namespaces; it installs docker.io and podman with
// apt when missing). Run in the same run with `--peers`; otherwise the figures recorded on this machine are used,
// and say so.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** peerBenchScript is where the shared peer benchmark lives on this machine. */
export const peerBenchScript = '/work/shared/bench/peer-bench.sh';

/** recordedPeers are peer-bench.sh's full-mode medians of 2026-11-23 on this machine (its README). */
export const recordedPeers = {
  swarm_50_ready_s: 6.35,
  swarm_scale_50_100_s: 7.29,
  swarm_rolling_50_s: 38.1,
  podman_50_ready_s: 10.8,
  runc_floor_ms: 28,
  ctr_run_ms: 100,
};

/** PeerFigures are the figures used and where they come from. */
export interface PeerFigures {
  figures: Record<keyof typeof recordedPeers, number | null>;
  source: string;
}

/** peerFigures runs peer-bench.sh --quick when asked to (falling back to the recorded figures if it fails). */
export async function peerFigures(run: boolean, log: (m: string) => void): Promise<PeerFigures> {
  const recorded: PeerFigures = { figures: { ...recordedPeers }, source: 'recorded 2026-11-23 (peer-bench.sh full mode)' };
  if (!run) return recorded;
  if (!existsSync(peerBenchScript)) {
    log(`peers: ${peerBenchScript} not found; using the recorded figures`);
    return recorded;
  }
  log(`peers: ${peerBenchScript} --quick (progress on stderr)`);
  const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = spawn(peerBenchScript, ['--quick'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.on('error', () => resolve({ code: -1, stdout }));
    child.on('exit', (code) => resolve({ code, stdout }));
  });
  const last = out.stdout.trim().split('\n').pop() ?? '';
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(last) as Record<string, unknown>;
  } catch {
    log(`peers: peer-bench.sh exited ${String(out.code)} without figures; using the recorded figures`);
    return recorded;
  }
  const num = (k: string): number | null => (typeof parsed[k] === 'number' ? parsed[k] : null);
  const figures = Object.fromEntries(Object.keys(recordedPeers).map((k) => [k, num(k)])) as PeerFigures['figures'];
  return { figures, source: `measured in this run (peer-bench.sh --quick, exit ${String(out.code)})` };
}
