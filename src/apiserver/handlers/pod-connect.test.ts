import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.ts';
import { kubeletQuery, nodeAddress, resolveContainer, validateLogOptions } from './pod-connect.ts';

const pod = (containers: string[], init: string[] = []): Pod => ({ metadata: { name: 'p' }, spec: { containers: containers.map((name) => ({ name })), initContainers: init.map((name) => ({ name })) } });

describe('resolveContainer', () => {
  const cases = [
    { name: 'the only container by default', pod: pod(['a']), container: null, want: 'a' },
    { name: 'a named container', pod: pod(['a', 'b']), container: 'b', want: 'b' },
    { name: 'an init container by name', pod: pod(['a'], ['setup']), container: 'setup', want: 'setup' },
    { name: 'several containers need a name', pod: pod(['a', 'b']), container: null, want: new ApiError('BadRequest', 'a container name must be specified for pod p, choose one of: [a b]') },
    { name: 'init containers are listed too', pod: pod(['a', 'b'], ['i']), container: null, want: new ApiError('BadRequest', 'a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [i]') },
    { name: 'an unknown container', pod: pod(['a']), container: 'x', want: new ApiError('BadRequest', 'container x is not valid for pod p') },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (typeof c.want === 'string') assert.equal(resolveContainer(c.pod, c.container), c.want);
      else assert.throws(() => resolveContainer(c.pod, c.container), (err: unknown) => err instanceof ApiError && err.reason === 'BadRequest' && err.message === (c.want as ApiError).message);
    });
  }
});

describe('validateLogOptions', () => {
  const cases = [
    { name: 'nothing set', query: '', want: null },
    { name: 'valid values', query: 'tailLines=0&limitBytes=1&sinceSeconds=5', want: null },
    { name: 'negative tailLines', query: 'tailLines=-1', want: 'PodLogOptions "p" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0' },
    { name: 'zero limitBytes', query: 'limitBytes=0', want: 'PodLogOptions "p" is invalid: limitBytes: Invalid value: 0: must be greater than 0' },
    { name: 'zero sinceSeconds', query: 'sinceSeconds=0', want: 'PodLogOptions "p" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0' },
    { name: 'both since forms', query: 'sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z', want: /at most one of `sinceTime` or `sinceSeconds` may be specified/ },
    { name: 'not a number', query: 'tailLines=abc', want: /tailLines: invalid value "abc"/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const run = (): void => validateLogOptions('p', new URLSearchParams(c.query));
      if (c.want === null) assert.doesNotThrow(run);
      else assert.throws(run, (err: unknown) => err instanceof ApiError && (typeof c.want === 'string' ? err.message === c.want : (c.want as RegExp).test(err.message)));
    });
  }
});

describe('kubeletQuery', () => {
  const cases = [
    { name: 'exec options become the kubelet names', sub: 'exec' as const, query: 'command=sh&command=-c&command=echo+hi&stdin=true&stdout=true&stderr=false&tty=true&container=c', want: 'input=1&output=1&tty=1&command=sh&command=-c&command=echo+hi' },
    { name: 'attach has no command', sub: 'attach' as const, query: 'stdin=1&stdout=true&command=x', want: 'input=1&output=1' },
    { name: 'log options pass through', sub: 'log' as const, query: 'follow=true&previous=false&timestamps=true&tailLines=3&container=c', want: 'follow=true&timestamps=true&tailLines=3' },
    { name: 'ports become repeated port', sub: 'portforward' as const, query: 'ports=80,443&ports=8080', want: 'port=80&port=443&port=8080' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(kubeletQuery(c.sub, new URLSearchParams(c.query)).toString(), c.want));
});

describe('nodeAddress', () => {
  const node = (addresses: { type: string; address: string }[], port?: number): Node => ({ metadata: { name: 'n' }, status: { addresses, ...(port ? { daemonEndpoints: { kubeletEndpoint: { Port: port } } } : {}) } });
  const cases = [
    { name: 'InternalIP first', node: node([{ type: 'Hostname', address: 'h' }, { type: 'InternalIP', address: '10.0.0.2' }], 10251), want: { host: '10.0.0.2', port: 10251 } },
    { name: 'hostname and the default port', node: node([{ type: 'Hostname', address: 'h' }]), want: { host: 'h', port: 10250 } },
    { name: 'no address', node: node([]), want: null },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(nodeAddress(c.node), c.want));
});
