import type { ResourceInfo } from '../../api/kinds.ts';
import { resourcePrefix } from './keys.ts';
import type { Strategy } from './strategy.ts';

/** CustomResourceSpec is what a CRD version adds to a served resource. */
export interface CustomResourceSpec {
  /** schema is the version's openAPIV3Schema. */
  schema?: unknown;
  additionalPrinterColumns?: unknown[];
  selectableFields?: { jsonPath: string }[];
}

/** ResourceDef is a served resource: what it is (info), how it differs (strategy), and where it is stored. */
export interface ResourceDef {
  info: ResourceInfo;
  strategy: Strategy;
  /** prefix is the store prefix; versions of one resource share it. */
  prefix: string;
  /** custom is set for custom resources. */
  custom?: CustomResourceSpec;
}

/** defineResource pairs a resource's info and strategy with its store prefix. */
export function defineResource(info: ResourceInfo, strategy: Strategy): ResourceDef {
  return { info, strategy, prefix: resourcePrefix(info) };
}
