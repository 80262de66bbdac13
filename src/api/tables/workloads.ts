import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CronJob, Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import { fromLabelSelector, formatLabels, formatLabelSelector } from '../selectors/index.ts';
import { parseApiVersion } from '../kinds.ts';
import {
  age,
  ageColumn,
  column,
  containersColumn,
  humanDuration,
  imagesColumn,
  layoutContainerCells,
  nameColumn,
  nameOf,
  parseTime,
  printBoolPtr,
  selectorColumn,
  translateTimestampSince,
} from './format.ts';
import type { TableConvertor } from './types.ts';

// Tables of the workload controllers, following upstream's printDeployment, printReplicaSet,
// printStatefulSet, printDaemonSet, printJob, printCronJob and printControllerRevision.
// spec.replicas is defaulted to 1 by the API, so a missing value prints as 1.

/** deploymentTable prints NAME READY UP-TO-DATE AVAILABLE AGE | CONTAINERS IMAGES SELECTOR. */
export const deploymentTable: TableConvertor = {
  columns: [
    nameColumn,
    column('Ready', 'string', 'Ready pods out of desired replicas.'),
    column('Up-to-date', 'string', 'Pods running the latest pod template.'),
    column('Available', 'string', 'Pods ready for at least minReadySeconds.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  row(obj, now) {
    const d = obj as Deployment;
    const [names, images] = layoutContainerCells(d.spec?.template?.spec?.containers);
    let selector: string;
    try {
      // Unlike the other workloads, an empty selector prints as "" here, as upstream does.
      selector = fromLabelSelector(d.spec?.selector).toString();
    } catch {
      selector = '<invalid>';
    }
    const s = d.status ?? {};
    return [nameOf(d), `${s.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`, s.updatedReplicas ?? 0, s.availableReplicas ?? 0, age(d, now), names, images, selector];
  },
};

const replicaColumns = [
  nameColumn,
  column('Desired', 'integer', 'Desired number of pods.'),
  column('Current', 'integer', 'Pods that currently exist.'),
  column('Ready', 'integer', 'Pods that are ready.'),
  ageColumn,
  containersColumn,
  imagesColumn,
  selectorColumn,
];

/** replicaSetTable prints NAME DESIRED CURRENT READY AGE | CONTAINERS IMAGES SELECTOR. */
export const replicaSetTable: TableConvertor = {
  columns: replicaColumns,
  row(obj, now) {
    const rs = obj as ReplicaSet;
    const [names, images] = layoutContainerCells(rs.spec?.template?.spec?.containers);
    const s = rs.status;
    return [nameOf(rs), rs.spec?.replicas ?? 1, s?.replicas ?? 0, s?.readyReplicas ?? 0, age(rs, now), names, images, formatLabelSelector(rs.spec?.selector)];
  },
};

/** replicationControllerTable prints the ReplicaSet columns with a map selector. */
export const replicationControllerTable: TableConvertor = {
  columns: replicaColumns,
  row(obj, now) {
    const rc = obj as ReplicationController;
    const [names, images] = layoutContainerCells(rc.spec?.template?.spec?.containers);
    const s = rc.status;
    return [nameOf(rc), rc.spec?.replicas ?? 1, s?.replicas ?? 0, s?.readyReplicas ?? 0, age(rc, now), names, images, formatLabels(rc.spec?.selector)];
  },
};

/** statefulSetTable prints NAME READY AGE | CONTAINERS IMAGES. */
export const statefulSetTable: TableConvertor = {
  columns: [nameColumn, column('Ready', 'string', 'Ready pods out of desired replicas.'), ageColumn, containersColumn, imagesColumn],
  row(obj, now) {
    const ss = obj as StatefulSet;
    const [names, images] = layoutContainerCells(ss.spec?.template?.spec?.containers);
    return [nameOf(ss), `${ss.status?.readyReplicas ?? 0}/${ss.spec?.replicas ?? 1}`, age(ss, now), names, images];
  },
};

/** daemonSetTable prints NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE | CONTAINERS IMAGES SELECTOR. */
export const daemonSetTable: TableConvertor = {
  columns: [
    nameColumn,
    column('Desired', 'integer', 'Nodes that should run the daemon pod.'),
    column('Current', 'integer', 'Nodes running at least one daemon pod.'),
    column('Ready', 'integer', 'Nodes whose daemon pod is ready.'),
    column('Up-to-date', 'integer', 'Nodes running the latest daemon pod template.'),
    column('Available', 'integer', 'Nodes whose daemon pod is available.'),
    column('Node Selector', 'string', 'Node selector of the pod template.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  row(obj, now) {
    const ds = obj as DaemonSet;
    const s = ds.status;
    const [names, images] = layoutContainerCells(ds.spec?.template?.spec?.containers);
    return [
      nameOf(ds),
      s?.desiredNumberScheduled ?? 0,
      s?.currentNumberScheduled ?? 0,
      s?.numberReady ?? 0,
      s?.updatedNumberScheduled ?? 0,
      s?.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      age(ds, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

function jobCondition(conditions: readonly JobCondition[] | undefined, type: string): boolean {
  const c = conditions?.find((x) => x.type === type);
  return c?.status === 'True';
}

/** jobStatus is the STATUS cell of a job: Complete, Failed, Terminating, Suspended, FailureTarget or Running. */
export function jobStatus(job: Job): string {
  const conditions = job.status?.conditions;
  if (jobCondition(conditions, 'Complete')) return 'Complete';
  if (jobCondition(conditions, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (jobCondition(conditions, 'Suspended')) return 'Suspended';
  if (jobCondition(conditions, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** jobTable prints NAME STATUS COMPLETIONS DURATION AGE | CONTAINERS IMAGES SELECTOR. */
export const jobTable: TableConvertor = {
  columns: [
    nameColumn,
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', 'Succeeded pods out of required completions.'),
    column('Duration', 'string', 'Time the job took, or has been running.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  row(obj, now) {
    const job = obj as Job;
    const succeeded = job.status?.succeeded ?? 0;
    let completions: string;
    if (job.spec?.completions !== undefined && job.spec.completions !== null) completions = `${succeeded}/${job.spec.completions}`;
    else if ((job.spec?.parallelism ?? 0) > 1) completions = `${succeeded}/1 of ${job.spec?.parallelism ?? 0}`;
    else completions = `${succeeded}/1`;
    const start = parseTime(job.status?.startTime);
    const end = parseTime(job.status?.completionTime);
    const duration = start === undefined ? '' : humanDuration((end ?? now) - start);
    const [names, images] = layoutContainerCells(job.spec?.template?.spec?.containers);
    return [nameOf(job), jobStatus(job), completions, duration, age(job, now), names, images, formatLabelSelector(job.spec?.selector)];
  },
};

/** cronJobTable prints NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE | CONTAINERS IMAGES SELECTOR. */
export const cronJobTable: TableConvertor = {
  columns: [
    nameColumn,
    column('Schedule', 'string', 'Cron schedule of the job.'),
    column('Timezone', 'string', 'Time zone of the schedule.'),
    column('Suspend', 'boolean', 'Whether new runs are suspended.'),
    column('Active', 'integer', 'Jobs currently running.'),
    column('Last Schedule', 'string', 'Time since the job was last scheduled.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  row(obj, now) {
    const cj = obj as CronJob;
    const jobSpec = cj.spec?.jobTemplate?.spec;
    const [names, images] = layoutContainerCells(jobSpec?.template?.spec?.containers);
    const last = cj.status?.lastScheduleTime ? translateTimestampSince(cj.status.lastScheduleTime, now) : '<none>';
    return [
      nameOf(cj),
      cj.spec?.schedule ?? '',
      cj.spec?.timeZone ?? '<none>',
      printBoolPtr(cj.spec?.suspend),
      cj.status?.active?.length ?? 0,
      last,
      age(cj, now),
      names,
      images,
      formatLabelSelector(jobSpec?.selector),
    ];
  },
};

/** controllerRevisionTable prints NAME CONTROLLER REVISION AGE; the controller reads "statefulset.apps/web". */
export const controllerRevisionTable: TableConvertor = {
  columns: [nameColumn, column('Controller', 'string', 'Object that owns this revision.'), column('Revision', 'string', 'Revision number.'), ageColumn],
  row(obj, now) {
    const cr = obj as ControllerRevision;
    const ref = cr.metadata?.ownerReferences?.find((r) => r.controller === true);
    let controller = '<none>';
    if (ref) {
      const { group } = parseApiVersion(ref.apiVersion);
      const groupKind = group ? `${ref.kind}.${group}` : ref.kind;
      controller = groupKind ? `${groupKind.toLowerCase()}/${ref.name}` : ref.name;
    }
    return [nameOf(cr), controller, cr.revision ?? 0, age(cr, now)];
  },
};
