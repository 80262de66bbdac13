import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName, isRelaxedEnvVarName,
  isValidLabelValue, isValidPathSegmentName, isValidPercent, isValidPortName, isValidPortNum, isWildcardDNS1123Subdomain,
} from './names.ts';
import { cidrContains, isDualStack, parseCIDR, validateCIDR, validateIP } from './network.ts';

const subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1035Msg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const nameSegment = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('name checks', () => {
  const cases: { name: string; got: () => string[]; want: string[] }[] = [
    { name: 'subdomain ok', got: () => isDNS1123Subdomain('example.com'), want: [] },
    { name: 'subdomain with underscore', got: () => isDNS1123Subdomain('Bad_Name'), want: [subdomainMsg] },
    { name: 'subdomain too long', got: () => isDNS1123Subdomain('a'.repeat(254)), want: ['must be no more than 253 characters'] },
    { name: 'label ok', got: () => isDNS1123Label('my-name'), want: [] },
    { name: 'label with dots', got: () => isDNS1123Label('a.b'), want: ['must not contain dots'] },
    { name: 'label trailing dash', got: () => isDNS1123Label('a-'), want: [labelMsg] },
    { name: 'label too long', got: () => isDNS1123Label('a'.repeat(64)), want: ['must be no more than 63 characters'] },
    { name: 'dns1035 starts with digit', got: () => isDNS1035Label('1abc'), want: [dns1035Msg] },
    { name: 'wildcard ok', got: () => isWildcardDNS1123Subdomain('*.example.com'), want: [] },
    { name: 'qualified ok', got: () => isQualifiedName('example.com/my.Name_1'), want: [] },
    { name: 'qualified empty prefix', got: () => isQualifiedName('/a'), want: ['prefix part must be non-empty'] },
    { name: 'qualified bad name', got: () => isQualifiedName('-a'), want: [nameSegment] },
    { name: 'qualified bad prefix', got: () => isQualifiedName('Ex/a'), want: [`prefix part ${subdomainMsg}`] },
    { name: 'label value empty ok', got: () => isValidLabelValue(''), want: [] },
    { name: 'label value too long', got: () => isValidLabelValue('a'.repeat(64)), want: ['must be no more than 63 characters'] },
    { name: 'config key', got: () => isConfigMapKey('a/b'), want: ["a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"] },
    { name: 'config key dotdot', got: () => isConfigMapKey('..a'), want: ["must not start with '..'"] },
    { name: 'strict env name', got: () => isEnvVarName('1A'), want: ["a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"] },
    { name: 'relaxed env name allows digits first', got: () => isRelaxedEnvVarName('1A'), want: [] },
    { name: 'relaxed env name rejects =', got: () => isRelaxedEnvVarName('A=B'), want: ["a valid environment variable name must consist only of printable ASCII characters other than '='"] },
    { name: 'port name many faults', got: () => isValidPortName('-1--'), want: ['must contain at least one letter (a-z)', 'must not contain consecutive hyphens', 'must not begin or end with a hyphen'] },
    { name: 'port number range', got: () => isValidPortNum(70000), want: ['must be between 1 and 65535, inclusive'] },
    { name: 'percent', got: () => isValidPercent('25'), want: ["a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"] },
    { name: 'path segment', got: () => isValidPathSegmentName('a/b%'), want: ["may not contain '/'", "may not contain '%'"] },
    { name: 'path segment dot', got: () => isValidPathSegmentName('..'), want: ["may not be '..'"] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.got(), c.want));
});

describe('IP and CIDR checks', () => {
  const ips = [
    { ip: '10.0.0.1', ok: true },
    { ip: '010.000.0.1', ok: true },
    { ip: '2001:db8::1', ok: true },
    { ip: '256.0.0.1', ok: false },
    { ip: 'fe80::1%eth0', ok: false },
    { ip: 'example.com', ok: false },
  ];
  for (const c of ips) {
    it(`ip ${c.ip}`, () => assert.equal(validateIP('x', c.ip).length === 0, c.ok));
  }
  it('invalid ip message', () => assert.equal(validateIP('spec.clusterIP', 'x')[0]?.detail, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  it('cidr', () => {
    assert.deepEqual(validateCIDR('c', '10.0.0.0/8'), []);
    assert.equal(validateCIDR('c', '10.0.0.0/33').length, 1);
    assert.equal(validateCIDR('c', '10.0.0.0').length, 1);
  });
  it('cidr contains', () => {
    const c = parseCIDR('10.0.0.0/8');
    assert.ok(c && cidrContains(c, '10.1.2.3'));
    assert.ok(c && !cidrContains(c, '11.1.2.3'));
    const v6 = parseCIDR('2001:db8::/32');
    assert.ok(v6 && cidrContains(v6, '2001:db8::5'));
  });
  it('dual stack', () => {
    assert.ok(isDualStack(['10.0.0.1', '2001:db8::1']));
    assert.ok(!isDualStack(['10.0.0.1', '10.0.0.2']));
  });
});
