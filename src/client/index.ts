export { Client, builtinRef } from './client.ts';
export { ResourceClient, errorFromResponse, type ClientWatchEvent, type ClientWriteOptions, type List, type ListOptions, type PatchKind, type ResourceRef } from './resource-client.ts';
export { httpsTransport, inProcessTransport, type HttpsConfig, type Transport } from './transport.ts';
export { Informer, type EventHandler, type InformerOptions } from './informer.ts';
export { InformerFactory } from './informer-factory.ts';
export { Indexer, byNamespace, type IndexFunc } from './indexer.ts';
export { WorkQueue, exponentialRateLimiter, runWorkers, type RateLimiter } from './workqueue.ts';
export { RestMapper, type DiscoveredResource } from './discovery.ts';
