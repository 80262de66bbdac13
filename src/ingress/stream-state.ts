// The state Node's stream handles report read and write outcomes in (streamBaseState of the stream_wrap
// binding), shared by every stream of the thread: socket-reads.ts and socket-writes.ts read it to talk to a
// socket's handle without the stream machinery in between. null when this Node does not offer it.

/** StreamState is the shared Int32Array and the indexes of the fields the data plane reads. */
export interface StreamState {
  state: Int32Array;
  /** readBytes indexes the byte count (or error) of the read being reported. */
  readBytes: number;
  lastWriteErr: number;
  bytesWritten: number;
}

/** streamState looks the state up in this thread's stream_wrap binding. */
export function streamState(): StreamState | null {
  try {
    const binding = (process as unknown as { binding?: (name: string) => unknown }).binding?.('stream_wrap') as Record<string, unknown> | undefined;
    const { streamBaseState: state, kReadBytesOrError: readBytes, kLastWriteErr: lastWriteErr, kBytesWritten: bytesWritten } = binding ?? {};
    if (!(state instanceof Int32Array) || typeof readBytes !== 'number' || typeof lastWriteErr !== 'number' || typeof bytesWritten !== 'number') return null;
    return { state, readBytes, lastWriteErr, bytesWritten };
  } catch {
    return null;
  }
}
