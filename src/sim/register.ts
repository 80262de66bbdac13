import { isApiError } from '../api/errors.ts';
import type { Client } from '../client/client.ts';
import { formatMicroTime } from '../client/leader-election.ts';
import { ensureLease } from './heartbeat.ts';
import { PodIpam } from './ipam.ts';
import { buildNode, type LeaseObject, type NodeObject, type SimNode } from './node.ts';
import type { SimOptions } from './options.ts';

/**
 * registerNode does what a starting kubelet does: create its Node with a full status or, when the
 * Node exists (a restarted sim), refresh the labels and status it owns and keep its pod CIDR; then
 * take its Lease and record the "Starting" event.
 */
export async function registerNode(client: Client, opts: SimOptions, node: SimNode, now: number): Promise<void> {
  const nodes = client.resource<NodeObject>('v1', 'nodes');
  const desired = buildNode(opts, node.index, now);
  let stored: NodeObject;
  try {
    stored = await nodes.create(desired);
  } catch (err) {
    if (!isApiError(err, 'AlreadyExists')) throw err;
    stored = await reconcileExisting(client, desired);
    const cidr = stored.spec?.podCIDR;
    // A pod CIDR cannot change once set, so the addresses come from the one the node already has.
    if (cidr && cidr !== node.ipam.cidr) node.ipam = new PodIpam(cidr);
  }
  node.uid = stored.metadata?.uid ?? '';
  node.readySince = now;
  // Nodes register within seconds of each other; a random phase spreads their periodic status reports evenly.
  node.lastStatusAt = now - Math.random() * opts.statusReportMs;
  node.lease = await takeLease(client, node, opts.leaseDurationSeconds, now);
  node.recorder.event({ kind: 'Node', apiVersion: 'v1', name: node.name, uid: node.name }, 'Normal', 'Starting', 'Starting kubelet.');
}

async function reconcileExisting(client: Client, desired: NodeObject): Promise<NodeObject> {
  const nodes = client.resource<NodeObject>('v1', 'nodes');
  const name = desired.metadata?.name ?? '';
  const labels = desired.metadata?.labels ?? {};
  await nodes.patch(undefined, name, 'strategic', { metadata: { labels } });
  return nodes.patch(undefined, name, 'strategic', { status: desired.status }, { subresource: 'status' });
}

async function takeLease(client: Client, node: SimNode, durationSeconds: number, now: number): Promise<LeaseObject> {
  const lease = await ensureLease(client, node, durationSeconds, now);
  if (lease.spec?.holderIdentity === node.name && lease.spec.renewTime === formatMicroTime(now)) return lease;
  const owners = [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid }];
  const spec = { ...lease.spec, holderIdentity: node.name, leaseDurationSeconds: durationSeconds, renewTime: formatMicroTime(now) };
  return client.resource<LeaseObject>('coordination.k8s.io/v1', 'leases').update({ ...lease, metadata: { ...lease.metadata, ownerReferences: owners }, spec });
}
