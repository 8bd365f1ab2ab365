import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { validateOuName, validateTrailName } from '../../../src/governance/private/names';

const scope = (): Construct => new Construct(new Stack(), 'Probe');

describe('validateTrailName (CloudTrail naming rules)', () => {
  test.each(['abc', 'x'.repeat(128), 'My.Trail_1-a', '0trail9', 'org-trail.v2', '1.2.3'])('accepts %p', (value) => {
    expect(() => validateTrailName(scope(), 'trailName', value)).not.toThrow();
  });
  test.each([
    ['ab', /it has 2 characters/],
    ['x'.repeat(129), /it has 129 characters/],
    ['my trail', /it has another character/],
    ['trail/1', /it has another character/],
    ['-trail', /starts or ends with punctuation/],
    ['trail.', /starts or ends with punctuation/],
    ['my..trail', /two punctuation marks next to each other/],
    ['my_.trail', /two punctuation marks next to each other/],
    ['my-_trail', /two punctuation marks next to each other/],
    ['my--trail', /two punctuation marks next to each other/],
    ['192.168.5.4', /shaped like an IP address/],
  ])('rejects %p', (value, why) => {
    expect(() => validateTrailName(scope(), 'trailName', value)).toThrow(`invalid trailName ${JSON.stringify(value)}: must be 3 to 128 letters`);
    expect(() => validateTrailName(scope(), 'trailName', value)).toThrow(why);
  });
});

describe('validateOuName', () => {
  test.each(['W', 'Workloads/Development', 'x'.repeat(128)])('accepts %p', (value) => {
    expect(() => validateOuName(scope(), 'name', value)).not.toThrow();
  });
  test.each(['', '   ', 'x'.repeat(129)])('rejects %p', (value) => {
    expect(() => validateOuName(scope(), 'name', value)).toThrow(/must be an organizational unit name of 1 to 128 characters/);
  });
});
