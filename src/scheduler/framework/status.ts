// Plugin results (upstream's framework.Status and Code) and the "0/N nodes are available" message of a FitError.

/** Code is the closed set of outcomes a plugin can report (upstream's fwk.Code). */
export type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error' | 'Skip' | 'Wait';

/** RejectedCode is the pair of codes that reject a node: Unschedulable may be fixed by preemption, the other may not. */
export type RejectedCode = 'Unschedulable' | 'UnschedulableAndUnresolvable';

/** Status is what a plugin returns: success, skip, a rejection with reasons, a wait, or an internal error. */
export type Status =
  | { readonly code: 'Success' }
  | { readonly code: 'Skip' }
  | { readonly code: RejectedCode; readonly reasons: readonly string[]; readonly plugin?: string }
  | { readonly code: 'Wait'; readonly reasons: readonly string[]; readonly plugin?: string }
  | { readonly code: 'Error'; readonly reasons: readonly string[]; readonly plugin?: string };

const successStatus: Status = Object.freeze({ code: 'Success' });
const skipStatus: Status = Object.freeze({ code: 'Skip' });

/** success is the shared Success status; returning one object keeps the hot filter loop allocation-free. */
export function success(): Status {
  return successStatus;
}

/** skip tells the framework to skip this plugin's later extension points for the cycle. */
export function skip(): Status {
  return skipStatus;
}

/** unschedulable rejects a node in a way preemption might fix. */
export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}

/** unresolvable rejects a node in a way preemption cannot fix. */
export function unresolvable(...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

/** errorStatus reports an internal failure that aborts the cycle. */
export function errorStatus(message: string): Status {
  return { code: 'Error', reasons: [message] };
}

/** isSuccess tells whether a status is Success (upstream treats nil the same way). */
export function isSuccess(s: Status): boolean {
  return s.code === 'Success';
}

/** isRejected tells whether a status rejects the pod (Unschedulable or UnschedulableAndUnresolvable). */
export function isRejected(s: Status): s is Extract<Status, { code: RejectedCode }> {
  return s.code === 'Unschedulable' || s.code === 'UnschedulableAndUnresolvable';
}

/** statusReasons returns a status's reasons, empty for Success and Skip. */
export function statusReasons(s: Status): readonly string[] {
  switch (s.code) {
    case 'Success':
    case 'Skip':
      return [];
    case 'Unschedulable':
    case 'UnschedulableAndUnresolvable':
    case 'Wait':
    case 'Error':
      return s.reasons;
    default: {
      const never: never = s;
      throw new Error(`unknown status ${JSON.stringify(never)}`);
    }
  }
}

/** statusMessage joins the reasons with ", " as upstream's Status.Message does. */
export function statusMessage(s: Status): string {
  return statusReasons(s).join(', ');
}

/** statusPlugin returns the plugin that produced a non-success status, if recorded. */
export function statusPlugin(s: Status): string | undefined {
  return s.code === 'Success' || s.code === 'Skip' ? undefined : s.plugin;
}

/** withPlugin records which plugin produced a status; success and skip carry no plugin. */
export function withPlugin(s: Status, plugin: string): Status {
  if (s.code === 'Success' || s.code === 'Skip' || s.plugin === plugin) return s;
  return { ...s, plugin };
}

const absentDefault: Status = Object.freeze({ code: 'UnschedulableAndUnresolvable', reasons: Object.freeze([]) });

/** NodeToStatus records each rejected node's status plus one status for nodes that are absent (upstream's NodeToStatus). */
export class NodeToStatus {
  readonly #statuses = new Map<string, Status>();
  #absent: Status = absentDefault;

  /** set records the status of one node. */
  set(nodeName: string, status: Status): void {
    this.#statuses.set(nodeName, status);
  }

  /** get returns a node's status, or the absent-node status when it was not recorded. */
  get(nodeName: string): Status {
    return this.#statuses.get(nodeName) ?? this.#absent;
  }

  /** setAbsentNodesStatus sets the status reported for nodes without an explicit one. */
  setAbsentNodesStatus(status: Status): void {
    this.#absent = status;
  }

  /** absentNodesStatus returns the status of nodes without an explicit one. */
  absentNodesStatus(): Status {
    return this.#absent;
  }

  /** size is the number of nodes with an explicit status. */
  get size(): number {
    return this.#statuses.size;
  }

  /** entries iterates the explicit statuses. */
  entries(): IterableIterator<[string, Status]> {
    return this.#statuses.entries();
  }

  /** nodeNamesWithCode lists nodes (of those given) whose status, explicit or absent, has the code. */
  nodeNamesWithCode(allNodeNames: readonly string[], code: Code): string[] {
    const out: string[] = [];
    for (const name of allNodeNames) if (this.get(name).code === code) out.push(name);
    return out;
  }
}

/** Diagnosis explains why a pod fits nowhere: per-node statuses, the rejecting plugins and PreFilter/PostFilter messages. */
export interface Diagnosis {
  readonly nodeToStatus: NodeToStatus;
  readonly unschedulablePlugins: Set<string>;
  preFilterMsg: string;
  postFilterMsg: string;
}

/** newDiagnosis returns an empty diagnosis. */
export function newDiagnosis(): Diagnosis {
  return { nodeToStatus: new NodeToStatus(), unschedulablePlugins: new Set(), preFilterMsg: '', postFilterMsg: '' };
}

/**
 * fitErrorMessage formats upstream's FitError: "0/N nodes are available: <PreFilterMsg or sorted "count reason"
 * histogram>. <PostFilterMsg>". The histogram is sorted as strings, count included, exactly as sort.Strings does.
 */
export function fitErrorMessage(numAllNodes: number, diagnosis: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (diagnosis.preFilterMsg !== '') {
    // PreFilter rejection copies one status to every node, so listing them again would only repeat it.
    msg += ` ${diagnosis.preFilterMsg}.`;
  } else {
    const counts = new Map<string, number>();
    for (const [, status] of diagnosis.nodeToStatus.entries()) {
      for (const reason of statusReasons(status)) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    }
    const absent = numAllNodes - diagnosis.nodeToStatus.size;
    if (absent > 0) {
      for (const reason of statusReasons(diagnosis.nodeToStatus.absentNodesStatus())) counts.set(reason, (counts.get(reason) ?? 0) + absent);
    }
    const parts = [...counts].map(([reason, n]) => `${n} ${reason}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  }
  if (diagnosis.postFilterMsg !== '') msg += ` ${diagnosis.postFilterMsg}`;
  return msg;
}
