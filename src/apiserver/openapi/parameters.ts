/** ParameterSpec is one non-body request parameter, rendered to the v2 and v3 shapes by the path renderers. */
export interface ParameterSpec {
  name: string;
  in: 'query' | 'path';
  type: 'string' | 'integer' | 'boolean';
  description: string;
  required?: boolean;
}

function query(name: string, type: ParameterSpec['type'], description: string): ParameterSpec {
  return { name, in: 'query', type, description };
}

/** prettyParam asks for indented output; it sits on every path, as upstream. */
export const prettyParam = query('pretty', 'string', "If 'true', the output is pretty printed.");

/** namespaceParam is the {namespace} path segment. */
export const namespaceParam: ParameterSpec = {
  name: 'namespace',
  in: 'path',
  type: 'string',
  description: 'object name and auth scope, such as for teams and projects',
  required: true,
};

/** nameParam is the {name} path segment of an item path. */
export function nameParam(kind: string): ParameterSpec {
  return { name: 'name', in: 'path', type: 'string', description: `name of the ${kind}`, required: true };
}

const dryRun = query('dryRun', 'string', 'When present, modifications are not persisted. Valid value: All.');
const fieldManager = query('fieldManager', 'string', 'The name of the actor making the change, recorded in managedFields.');
const fieldValidation = query(
  'fieldValidation',
  'string',
  'How the server treats unknown or duplicate fields in the request body: Ignore, Warn (the default) or Strict (reject the request).',
);

/** listParams are the query parameters of list and watch calls (metav1.ListOptions). */
export const listParams: readonly ParameterSpec[] = [
  query('allowWatchBookmarks', 'boolean', 'Ask the server to send BOOKMARK events during a watch.'),
  query('continue', 'string', 'The continue token of the previous page of a chunked list.'),
  query('fieldSelector', 'string', 'Restrict the returned objects by their fields. Defaults to everything.'),
  query('labelSelector', 'string', 'Restrict the returned objects by their labels. Defaults to everything.'),
  query('limit', 'integer', 'The maximum number of objects to return; more are fetched with the continue token.'),
  query('resourceVersion', 'string', 'A constraint on which resource versions the request may be served from.'),
  query('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  query('sendInitialEvents', 'boolean', 'Start a watch with synthetic ADDED events for the current state.'),
  query('timeoutSeconds', 'integer', 'A limit on the duration of the list or watch call.'),
  query('watch', 'boolean', 'Watch for changes instead of listing, starting at resourceVersion.'),
];

/** createParams are the query parameters of POST (metav1.CreateOptions). */
export const createParams: readonly ParameterSpec[] = [dryRun, fieldManager, fieldValidation];

/** updateParams are the query parameters of PUT (metav1.UpdateOptions). */
export const updateParams: readonly ParameterSpec[] = [dryRun, fieldManager, fieldValidation];

/** patchParams are the query parameters of PATCH (metav1.PatchOptions); kubectl looks for fieldValidation. */
export const patchParams: readonly ParameterSpec[] = [
  dryRun,
  fieldManager,
  fieldValidation,
  query('force', 'boolean', 'Force an apply patch through conflicts with other field managers.'),
];

/** deleteParams are the query parameters of DELETE (metav1.DeleteOptions). */
export const deleteParams: readonly ParameterSpec[] = [
  dryRun,
  query('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; zero deletes immediately.'),
  query('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean', 'Delete an object that cannot be read from storage.'),
  query('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy. Orphan the dependent objects.'),
  query('propagationPolicy', 'string', 'Whether and how garbage collection removes dependents: Orphan, Background or Foreground.'),
];

/** logParams are the query parameters of pods/log (PodLogOptions). */
export const logParams: readonly ParameterSpec[] = [
  query('container', 'string', 'The container to stream logs of; may be omitted when the pod has one container.'),
  query('follow', 'boolean', 'Keep the stream open and follow the log.'),
  query('insecureSkipTLSVerifyBackend', 'boolean', "Skip verifying the kubelet's serving certificate."),
  query('limitBytes', 'integer', 'Stop after this many bytes of log.'),
  query('previous', 'boolean', 'Return the log of the previous, terminated container instance.'),
  query('sinceSeconds', 'integer', 'Only return log lines newer than this many seconds.'),
  query('stream', 'string', 'Which stream to return: All, Stdout or Stderr.'),
  query('tailLines', 'integer', 'Only return this many lines from the end of the log.'),
  query('timestamps', 'boolean', 'Prefix every line with an RFC3339 timestamp.'),
];

const streams = [
  query('container', 'string', 'The container to connect to; may be omitted when the pod has one container.'),
  query('stderr', 'boolean', 'Redirect the standard error stream.'),
  query('stdin', 'boolean', 'Redirect the standard input stream.'),
  query('stdout', 'boolean', 'Redirect the standard output stream.'),
  query('tty', 'boolean', 'Allocate a terminal.'),
];

/** execParams are the query parameters of pods/exec (PodExecOptions). */
export const execParams: readonly ParameterSpec[] = [query('command', 'string', 'The command to run, one argument per parameter.'), ...streams];

/** attachParams are the query parameters of pods/attach (PodAttachOptions). */
export const attachParams: readonly ParameterSpec[] = streams;

/** portForwardParams are the query parameters of pods/portforward (PodPortForwardOptions). */
export const portForwardParams: readonly ParameterSpec[] = [query('ports', 'integer', 'The pod ports to forward.')];
