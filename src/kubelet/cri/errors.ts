import { status as grpcStatus } from '@grpc/grpc-js';

/** GrpcCodeName is the name of a gRPC status code, e.g. "NOT_FOUND". */
export type GrpcCodeName = keyof typeof grpcStatus;

/** CriError is a failed CRI call: which RPC, the gRPC status code, and the runtime's message. */
export class CriError extends Error {
  readonly method: string;
  readonly code: number;
  readonly codeName: string;
  readonly details: string;

  constructor(method: string, code: number, details: string) {
    const codeName = grpcStatus[code] ?? `CODE_${code}`;
    super(`CRI ${method}: ${codeName}: ${details}`);
    this.name = 'CriError';
    this.method = method;
    this.code = code;
    this.codeName = codeName;
    this.details = details;
  }

  /** is reports whether the call failed with the gRPC code named. */
  is(name: GrpcCodeName): boolean {
    return this.code === grpcStatus[name];
  }
}

/** isCriNotFound reports whether err is a CRI call that failed because the object does not exist. */
export function isCriNotFound(err: unknown): boolean {
  return err instanceof CriError && err.is('NOT_FOUND');
}
