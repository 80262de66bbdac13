export { OpenApiBuilder, OpenApiCache, groupVersionPath, v2ProtobufContentType } from './builder.ts';
export type { OpenApiBuilderOptions } from './builder.ts';
export { DefinitionCatalog } from './catalog.ts';
export { serveOpenApi } from './handler.ts';
export { customDefinitionName } from './custom-resources.ts';
export type { CustomResourceSchema, GroupVersionKind, Schema, ServedDocument, V3Root } from './types.ts';
