import type { FieldError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';

/** StrategyContext carries what a strategy may need to know about the request. */
export interface StrategyContext {
  /** subresource is "status" for status updates, "" for the main resource. */
  subresource: string;
  now: number;
}

/**
 * Strategy is what differs between resources: defaults, preparation before a write, and validation.
 * The generic RegistryStore does everything else (as upstream's rest.RESTCreateStrategy and friends).
 */
export interface Strategy {
  /** defaults fills in defaults in place (upstream's SetDefaults_*); runs on create, update and patch. */
  defaults(obj: ApiObject): void;
  /** prepareForCreate normalises a new object, e.g. resets status the client may not set. */
  prepareForCreate(obj: ApiObject, ctx: StrategyContext): void;
  /** prepareForUpdate carries over what the request may not change (status on main updates, spec on status updates). */
  prepareForUpdate(obj: ApiObject, old: ApiObject, ctx: StrategyContext): void;
  /** validate checks a new object. */
  validate(obj: ApiObject, ctx: StrategyContext): FieldError[];
  /** validateUpdate checks an update against the old object. */
  validateUpdate(obj: ApiObject, old: ApiObject, ctx: StrategyContext): FieldError[];
  /** tracksGeneration says metadata.generation starts at 1 and grows when the spec changes. */
  tracksGeneration: boolean;
  /** hasStatus says the resource has a status subresource, so main updates keep the stored status. */
  hasStatus: boolean;
  /**
   * holdsDeletion says whether an object must stay after a delete request even without metadata
   * finalizers (a namespace with spec.finalizers), and marks it as terminating if so.
   */
  holdsDeletion(obj: ApiObject): boolean;
}

/** StrategyParts overrides parts of the default strategy. */
export type StrategyParts = Partial<Strategy>;

const noErrors = (): FieldError[] => [];

/** defineStrategy builds a Strategy from the generic behaviour plus resource-specific parts. */
export function defineStrategy(parts: StrategyParts & { hasStatus: boolean }): Strategy {
  const hasStatus = parts.hasStatus;
  return {
    defaults: parts.defaults ?? (() => {}),
    prepareForCreate:
      parts.prepareForCreate ??
      ((obj) => {
        // Status is written by controllers through /status, never by the creator.
        if (hasStatus) delete obj.status;
      }),
    prepareForUpdate: parts.prepareForUpdate ?? ((obj, old, ctx) => carryOver(obj, old, ctx, hasStatus)),
    validate: parts.validate ?? noErrors,
    validateUpdate: parts.validateUpdate ?? noErrors,
    tracksGeneration: parts.tracksGeneration ?? false,
    hasStatus,
    holdsDeletion: parts.holdsDeletion ?? (() => false),
  };
}

/** carryOver keeps the stored status on a main update and the stored everything-but-status on a status update. */
export function carryOver(obj: ApiObject, old: ApiObject, ctx: StrategyContext, hasStatus: boolean): void {
  if (!hasStatus) return;
  if (ctx.subresource === 'status') {
    const status = obj.status;
    for (const k of Object.keys(obj)) if (k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') delete obj[k];
    for (const [k, v] of Object.entries(old)) if (k !== 'metadata' && k !== 'status' && k !== 'apiVersion' && k !== 'kind') obj[k] = structuredClone(v);
    if (status === undefined) delete obj.status;
    else obj.status = status;
    // A status update may not change labels, annotations and the like either, except finalizers... upstream
    // resets the whole ObjectMeta to the stored one except for managedFields; do the same.
    const meta = obj.metadata ?? {};
    const managed = meta.managedFields;
    obj.metadata = structuredClone(old.metadata ?? {});
    if (managed !== undefined) obj.metadata.managedFields = managed;
  } else if (old.status === undefined) {
    delete obj.status;
  } else {
    obj.status = structuredClone(old.status);
  }
}
