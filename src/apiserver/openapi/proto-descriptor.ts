import type { INamespace } from 'protobufjs';

/**
 * openApiV2Descriptor is a protobufjs JSON descriptor of the part of gnostic's openapi.v2 package
 * (OpenAPIv2.proto) Berth writes: the field numbers are gnostic's, so kubectl decodes what we encode.
 * Messages and fields Berth never sets (security, headers, form parameters, xml...) are left out;
 * field names are camelCase for protobufjs.
 */
export const openApiV2Descriptor: INamespace = {
  nested: {
    openapi: {
      nested: {
        v2: {
          nested: {
            Document: {
              fields: {
                swagger: { type: 'string', id: 1 },
                info: { type: 'Info', id: 2 },
                host: { type: 'string', id: 3 },
                basePath: { type: 'string', id: 4 },
                schemes: { rule: 'repeated', type: 'string', id: 5 },
                consumes: { rule: 'repeated', type: 'string', id: 6 },
                produces: { rule: 'repeated', type: 'string', id: 7 },
                paths: { type: 'Paths', id: 8 },
                definitions: { type: 'Definitions', id: 9 },
                vendorExtension: { rule: 'repeated', type: 'NamedAny', id: 16 },
              },
            },
            Info: {
              fields: {
                title: { type: 'string', id: 1 },
                version: { type: 'string', id: 2 },
                description: { type: 'string', id: 3 },
              },
            },
            Any: { fields: { yaml: { type: 'string', id: 2 } } },
            NamedAny: { fields: { name: { type: 'string', id: 1 }, value: { type: 'Any', id: 2 } } },
            Paths: {
              fields: {
                vendorExtension: { rule: 'repeated', type: 'NamedAny', id: 1 },
                path: { rule: 'repeated', type: 'NamedPathItem', id: 2 },
              },
            },
            NamedPathItem: { fields: { name: { type: 'string', id: 1 }, value: { type: 'PathItem', id: 2 } } },
            PathItem: {
              fields: {
                ref: { type: 'string', id: 1 },
                get: { type: 'Operation', id: 2 },
                put: { type: 'Operation', id: 3 },
                post: { type: 'Operation', id: 4 },
                delete: { type: 'Operation', id: 5 },
                options: { type: 'Operation', id: 6 },
                head: { type: 'Operation', id: 7 },
                patch: { type: 'Operation', id: 8 },
                parameters: { rule: 'repeated', type: 'ParametersItem', id: 9 },
                vendorExtension: { rule: 'repeated', type: 'NamedAny', id: 10 },
              },
            },
            Operation: {
              fields: {
                tags: { rule: 'repeated', type: 'string', id: 1 },
                summary: { type: 'string', id: 2 },
                description: { type: 'string', id: 3 },
                operationId: { type: 'string', id: 5 },
                produces: { rule: 'repeated', type: 'string', id: 6 },
                consumes: { rule: 'repeated', type: 'string', id: 7 },
                parameters: { rule: 'repeated', type: 'ParametersItem', id: 8 },
                responses: { type: 'Responses', id: 9 },
                schemes: { rule: 'repeated', type: 'string', id: 10 },
                deprecated: { type: 'bool', id: 11 },
                vendorExtension: { rule: 'repeated', type: 'NamedAny', id: 13 },
              },
            },
            ParametersItem: {
              oneofs: { oneof: { oneof: ['parameter'] } },
              fields: { parameter: { type: 'Parameter', id: 1 } },
            },
            Parameter: {
              oneofs: { oneof: { oneof: ['bodyParameter', 'nonBodyParameter'] } },
              fields: {
                bodyParameter: { type: 'BodyParameter', id: 1 },
                nonBodyParameter: { type: 'NonBodyParameter', id: 2 },
              },
            },
            BodyParameter: {
              fields: {
                description: { type: 'string', id: 1 },
                name: { type: 'string', id: 2 },
                in: { type: 'string', id: 3 },
                required: { type: 'bool', id: 4 },
                schema: { type: 'Schema', id: 5 },
              },
            },
            NonBodyParameter: {
              oneofs: { oneof: { oneof: ['queryParameterSubSchema', 'pathParameterSubSchema'] } },
              fields: {
                queryParameterSubSchema: { type: 'QueryParameterSubSchema', id: 3 },
                pathParameterSubSchema: { type: 'PathParameterSubSchema', id: 4 },
              },
            },
            QueryParameterSubSchema: {
              fields: {
                required: { type: 'bool', id: 1 },
                in: { type: 'string', id: 2 },
                description: { type: 'string', id: 3 },
                name: { type: 'string', id: 4 },
                type: { type: 'string', id: 6 },
                uniqueItems: { type: 'bool', id: 20 },
              },
            },
            PathParameterSubSchema: {
              fields: {
                required: { type: 'bool', id: 1 },
                in: { type: 'string', id: 2 },
                description: { type: 'string', id: 3 },
                name: { type: 'string', id: 4 },
                type: { type: 'string', id: 5 },
                uniqueItems: { type: 'bool', id: 19 },
              },
            },
            Responses: {
              fields: { responseCode: { rule: 'repeated', type: 'NamedResponseValue', id: 1 } },
            },
            NamedResponseValue: { fields: { name: { type: 'string', id: 1 }, value: { type: 'ResponseValue', id: 2 } } },
            ResponseValue: {
              oneofs: { oneof: { oneof: ['response'] } },
              fields: { response: { type: 'Response', id: 1 } },
            },
            Response: {
              fields: {
                description: { type: 'string', id: 1 },
                schema: { type: 'SchemaItem', id: 2 },
              },
            },
            SchemaItem: {
              oneofs: { oneof: { oneof: ['schema'] } },
              fields: { schema: { type: 'Schema', id: 1 } },
            },
            Definitions: { fields: { additionalProperties: { rule: 'repeated', type: 'NamedSchema', id: 1 } } },
            NamedSchema: { fields: { name: { type: 'string', id: 1 }, value: { type: 'Schema', id: 2 } } },
            Properties: { fields: { additionalProperties: { rule: 'repeated', type: 'NamedSchema', id: 1 } } },
            AdditionalPropertiesItem: {
              oneofs: { oneof: { oneof: ['schema', 'boolean'] } },
              fields: { schema: { type: 'Schema', id: 1 }, boolean: { type: 'bool', id: 2 } },
            },
            TypeItem: { fields: { value: { rule: 'repeated', type: 'string', id: 1 } } },
            ItemsItem: { fields: { schema: { rule: 'repeated', type: 'Schema', id: 1 } } },
            ExternalDocs: { fields: { description: { type: 'string', id: 1 }, url: { type: 'string', id: 2 } } },
            Schema: {
              fields: {
                ref: { type: 'string', id: 1 },
                format: { type: 'string', id: 2 },
                title: { type: 'string', id: 3 },
                description: { type: 'string', id: 4 },
                default: { type: 'Any', id: 5 },
                multipleOf: { type: 'double', id: 6 },
                maximum: { type: 'double', id: 7 },
                exclusiveMaximum: { type: 'bool', id: 8 },
                minimum: { type: 'double', id: 9 },
                exclusiveMinimum: { type: 'bool', id: 10 },
                maxLength: { type: 'int64', id: 11 },
                minLength: { type: 'int64', id: 12 },
                pattern: { type: 'string', id: 13 },
                maxItems: { type: 'int64', id: 14 },
                minItems: { type: 'int64', id: 15 },
                uniqueItems: { type: 'bool', id: 16 },
                maxProperties: { type: 'int64', id: 17 },
                minProperties: { type: 'int64', id: 18 },
                required: { rule: 'repeated', type: 'string', id: 19 },
                enum: { rule: 'repeated', type: 'Any', id: 20 },
                additionalProperties: { type: 'AdditionalPropertiesItem', id: 21 },
                type: { type: 'TypeItem', id: 22 },
                items: { type: 'ItemsItem', id: 23 },
                allOf: { rule: 'repeated', type: 'Schema', id: 24 },
                properties: { type: 'Properties', id: 25 },
                discriminator: { type: 'string', id: 26 },
                readOnly: { type: 'bool', id: 27 },
                externalDocs: { type: 'ExternalDocs', id: 29 },
                example: { type: 'Any', id: 30 },
                vendorExtension: { rule: 'repeated', type: 'NamedAny', id: 31 },
              },
            },
          },
        },
      },
    },
  },
};
