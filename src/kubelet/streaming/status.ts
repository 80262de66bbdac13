import type { ExecResult } from './runtime.ts';

// The exec/attach outcome as the v4/v5 protocols carry it on the error stream or channel 3: a
// metav1.Status. client-go turns reason NonZeroExitCode with an ExitCode cause into kubectl's
// `command terminated with exit code N` and its own exit code.

/** ExecStatus is the Status object sent at the end of a session. */
export interface ExecStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason: string; message: string }[] };
}

/** execStatus renders a session's result as upstream's kubelet does. */
export function execStatus(result: ExecResult): ExecStatus {
  if (result.kind === 'exit' && result.code === 0) return { metadata: {}, status: 'Success' };
  if (result.kind === 'exit') {
    return {
      metadata: {},
      status: 'Failure',
      message: `command terminated with non-zero exit code: error executing command, exit code ${result.code}`,
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: String(result.code) }] },
    };
  }
  return { metadata: {}, status: 'Failure', message: result.message, reason: 'InternalError' };
}

/** parseExecStatus reads a Status from a runtime's stream back into a result (the CRI client's side). */
export function parseExecStatus(text: string): ExecResult {
  let s: Partial<ExecStatus>;
  try {
    s = JSON.parse(text) as Partial<ExecStatus>;
  } catch {
    return { kind: 'error', message: text.trim() || 'unreadable exec status' };
  }
  if (s.status === 'Success') return { kind: 'exit', code: 0 };
  const code = s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
  if (s.reason === 'NonZeroExitCode' && code !== undefined && /^\d+$/.test(code)) return { kind: 'exit', code: Number(code) };
  return { kind: 'error', message: s.message ?? 'exec failed' };
}
