import type { EventEmitter } from 'node:events';
import type { Duplex, Readable, Writable } from 'node:stream';

// What the agent's streaming server needs from a container runtime. The production implementation is
// containerd through CRI (cri-stream-client.ts); tests use local processes. Each call is made before the
// client's connection is upgraded, so "no such container" becomes an HTTP error kubectl can print.

/** ContainerRef names a container of a pod on this node. */
export interface ContainerRef {
  namespace: string;
  pod: string;
  /** uid is the pod's uid when the caller knows it. */
  uid?: string;
  container: string;
}

/** ExecRequest is an exec or attach: which streams the client wants and whether it has a terminal. */
export interface ExecRequest extends ContainerRef {
  /** command is empty for attach. */
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** TerminalSize is a resize event (the JSON on the resize stream/channel 4). */
export interface TerminalSize {
  Width: number;
  Height: number;
}

/** ExecIO are the client's streams for one session; the ones not asked for are null. */
export interface ExecIO {
  stdin: Readable | null;
  stdout: Writable | null;
  stderr: Writable | null;
  /** resize emits 'resize' with a TerminalSize when the client's terminal changes (tty only). */
  resize: EventEmitter<{ resize: [TerminalSize] }>;
}

/** ExecResult is how a session ended: the command's exit code, or an error before/while running it. */
export type ExecResult = { kind: 'exit'; code: number } | { kind: 'error'; message: string };

/** ExecSession is a prepared exec/attach; run connects the client's streams and resolves when it ends. */
export interface ExecSession {
  run(io: ExecIO): Promise<ExecResult>;
}

/** PortForwarder opens connections to ports of one pod. */
export interface PortForwarder {
  /** connect opens a byte stream to the pod's port; it rejects when the port refuses. */
  connect(port: number): Promise<Duplex>;
}

/** StreamingRuntime is the agent's runtime for exec, attach and port-forward. */
export interface StreamingRuntime {
  /** exec prepares a command in a container; it throws StreamingError('NotFound') when the container is not running. */
  exec(req: ExecRequest): Promise<ExecSession>;
  /** attach prepares a connection to the container's main process. */
  attach(req: ExecRequest): Promise<ExecSession>;
  /** portForward prepares forwarding to the pod's network namespace. */
  portForward(pod: { namespace: string; pod: string; uid?: string }): Promise<PortForwarder>;
}

/** StreamingError is a runtime's refusal, with the HTTP code the agent answers with. */
export class StreamingError extends Error {
  readonly reason: 'NotFound' | 'BadRequest' | 'InternalError';
  constructor(reason: 'NotFound' | 'BadRequest' | 'InternalError', message: string) {
    super(message);
    this.reason = reason;
  }
}

/** containerNotFound is the kubelet's message for exec/attach into a container that is not running. */
export function containerNotFound(container: string): StreamingError {
  return new StreamingError('NotFound', `container not found (${JSON.stringify(container)})`);
}
