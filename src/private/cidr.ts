/* eslint-disable no-bitwise -- IPv4 address arithmetic is bit arithmetic. */
import { isIPv4 } from 'net';
import { IConstruct } from 'constructs';
import { propError } from './validation';

/** A parsed IPv4 CIDR block. */
export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  /** Prefix length, 0..32. */
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.');
}

/**
 * Parse an IPv4 CIDR and require it to be a network address (no host bits set).
 * The address must be one Node's `net.isIPv4` accepts: four decimal octets
 * 0-255 without leading zeros (`010.0.0.0` is octal to some parsers and
 * decimal to others, so it is refused). Throws an error naming `prop` and the
 * value otherwise.
 */
export function parseIpv4Cidr(scope: IConstruct, prop: string, value: string): Ipv4Cidr {
  const match = CIDR_PATTERN.exec(value);
  const expected = 'must be an IPv4 CIDR block such as 10.0.0.0/16';
  if (!match) {
    throw propError(scope, prop, value, expected);
  }
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) {
    throw propError(scope, prop, value, `${expected} (octets 0-255, prefix 0-32)`);
  }
  if (!isIPv4(match.slice(1, 5).join('.'))) {
    throw propError(scope, prop, value, `${expected} (no leading zeros in an octet: some parsers read them as octal)`);
  }
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (address & mask) >>> 0;
  if (network !== address) {
    throw propError(scope, prop, value, `host bits are set; the network address is ${formatAddress(network)}/${prefix}`);
  }
  return { network, prefix };
}

/** Number of bits needed to address `count` equal blocks. */
export function bitsFor(count: number): number {
  return Math.ceil(Math.log2(Math.max(count, 1)));
}

/** Whether two IPv4 ranges share any address. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((a.network & mask) >>> 0) === ((b.network & mask) >>> 0);
}
