export { CriClient, criApiVersion, grpcTarget, type CallOptions, type CriClientOptions } from './client.ts';
export { CriSchema } from './codec.ts';
export { CriError, isCriNotFound, type GrpcCodeName } from './errors.ts';
export type * from './types.ts';
