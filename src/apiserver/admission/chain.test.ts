import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admissionAttrs, refusal } from '../../testing/admission.ts';
import { AdmissionChain } from './chain.ts';
import { admissionForbidden, type AdmissionPlugin } from './types.ts';

describe('AdmissionChain', () => {
  const recorder = (log: string[], name: string, refuse?: 'admit' | 'validate'): AdmissionPlugin => ({
    name,
    admit: (a) => {
      log.push(`${name}.admit`);
      if (refuse === 'admit') throw admissionForbidden(a, `${name} says no`);
    },
    validate: (a) => {
      log.push(`${name}.validate`);
      if (refuse === 'validate') throw admissionForbidden(a, `${name} says no`);
    },
  });
  const attrs = () => admissionAttrs('CREATE', 'configmaps', { metadata: { name: 'c', namespace: 'ns' } });

  it('runs each phase through every plugin in order', async () => {
    const log: string[] = [];
    const chain = new AdmissionChain([recorder(log, 'a'), recorder(log, 'b')]);
    await chain.admit(attrs());
    await chain.validate(attrs());
    assert.deepEqual(log, ['a.admit', 'b.admit', 'a.validate', 'b.validate']);
  });

  it('stops at the first refusal', async () => {
    const log: string[] = [];
    const chain = new AdmissionChain([recorder(log, 'a', 'validate'), recorder(log, 'b')]);
    assert.equal(await refusal(() => chain.validate(attrs())), 'configmaps "c" is forbidden: a says no');
    assert.deepEqual(log, ['a.validate']);
  });

  it('waits for an asynchronous plugin before the next one, and its refusal stops the chain', async () => {
    const log: string[] = [];
    const slow = (name: string, refuse: boolean): AdmissionPlugin => ({
      name,
      admit: async (a) => {
        await new Promise((r) => setImmediate(r));
        log.push(`${name}.admit`);
        if (refuse) throw admissionForbidden(a, `${name} says no`);
      },
    });
    await new AdmissionChain([slow('s', false), recorder(log, 'a')]).admit(attrs());
    assert.deepEqual(log, ['s.admit', 'a.admit']);
    log.length = 0;
    assert.equal(await refusal(() => new AdmissionChain([recorder(log, 'a'), slow('t', true), recorder(log, 'b')]).admit(attrs())), 'configmaps "c" is forbidden: t says no');
    assert.deepEqual(log, ['a.admit', 't.admit']);
  });

  it('refuses two plugins of one name', () => {
    assert.throws(() => new AdmissionChain([recorder([], 'a'), recorder([], 'a')]), /duplicate admission plugin a/);
  });
});
