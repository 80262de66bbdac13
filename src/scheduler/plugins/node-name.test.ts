import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { success, unresolvable } from '../framework/status.ts';
import { newNode, newPod, runPlugin } from '../testing.ts';
import { newNodeNamePlugin } from './node-name.ts';

describe('NodeName.filter', () => {
  const reason = "node(s) didn't match the requested node name";
  const cases = [
    { name: 'no node name', pod: newPod(), want: success() },
    { name: 'host matches', pod: newPod({ nodeName: 'a' }), want: success() },
    { name: "host doesn't match", pod: newPod({ nodeName: 'b' }), want: unresolvable(reason) },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(runPlugin(newNodeNamePlugin(), [newNode({ name: 'a' })]).filter(c.pod, 'a'), c.want));
});
