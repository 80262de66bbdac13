// The scheduling queue: activeQ, backoffQ and the unschedulable pool.
export { SchedulingQueue, type QueuedPodInfo, type SchedulingQueueOptions, type PendingPods } from './scheduling-queue.ts';
