import { PlatformNetwork } from '../../src/network/platform-network';
import { parseIpv4Cidr } from '../../src/private/cidr';
import { newTestStack, TEST_AZS } from '../helpers/stacks';

describe('parseIpv4Cidr', () => {
  const stack = newTestStack();

  test.each([
    ['10.0.0.0/16', 0x0a000000, 16],
    ['0.0.0.0/0', 0, 0],
    ['192.168.1.128/25', 0xc0a80180, 25],
    ['255.255.255.255/32', 0xffffffff, 32],
  ])('%s parses', (cidr, network, prefix) => {
    expect(parseIpv4Cidr(stack, 'cidr', cidr)).toEqual({ network, prefix });
  });

  // Addresses are judged by Node's net.isIPv4, which refuses leading zeros:
  // 010.000.000.000 is 10.0.0.0 to some parsers and 8.0.0.0 (octal) to others.
  test.each([
    '010.000.000.000/16',
    '010.0.0.0/8',
    '10.0.0.00/24',
    '10.01.0.0/16',
    '00.0.0.0/0',
  ])('%s is refused: an octet with a leading zero', (cidr) => {
    expect(() => parseIpv4Cidr(stack, 'cidr', cidr))
      .toThrow(`TestStack: invalid cidr ${JSON.stringify(cidr)}: must be an IPv4 CIDR block such as 10.0.0.0/16 (no leading zeros in an octet`);
  });

  test.each([
    ['10.0.0/16', /must be an IPv4 CIDR block such as 10\.0\.0\.0\/16$/],
    ['10.0.0.256/32', /\(octets 0-255, prefix 0-32\)$/],
    ['10.0.0.0/33', /\(octets 0-255, prefix 0-32\)$/],
    ['10.0.0.1/16', /host bits are set; the network address is 10\.0\.0\.0\/16$/],
    [' 10.0.0.0/16', /must be an IPv4 CIDR block/],
  ])('%s is refused', (cidr, message) => {
    expect(() => parseIpv4Cidr(stack, 'cidr', cidr)).toThrow(message);
  });
});

describe('PlatformNetwork refuses a VPC CIDR with leading zeros', () => {
  test('010.000.000.000/16 fails at synth time naming the prop', () => {
    const stack = newTestStack();
    expect(() => new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS, vpcCidr: '010.000.000.000/16' }))
      .toThrow(/^TestStack\/Network: invalid vpcCidr "010\.000\.000\.000\/16": .*no leading zeros/);
  });
});
