/**
 * Flume's avro source `ipFilterRules`: comma-separated `<allow|deny>:<ip|name>:<pattern>` rules,
 * e.g. `allow:ip:127.*,allow:name:localhost,deny:ip:*`. `*` and `?` are wildcards over the whole
 * text; `ip` rules match the textual address, `name` rules the reverse-DNS name (as Java's
 * `getHostName`, the address itself when there is none), and `name:localhost` matches any loopback
 * or local-interface address. The first matching rule decides; no match accepts (Netty's rule).
 */
import { promises as dns } from 'node:dns';
import { networkInterfaces } from 'node:os';
import { SluiceError } from '../errors.ts';

export interface IpFilterRule {
  allow: boolean;
  kind: 'ip' | 'name';
  pattern: string;
  regex: RegExp;
}

function glob(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

export function parseIpFilterRules(text: string): IpFilterRule[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((rule) => {
      const m = /^(allow|deny):(ip|name):(.+)$/.exec(rule);
      if (!m) {
        throw new SluiceError(
          'SLUICE_CONFIG_BAD_VALUE',
          `ipFilterRules: rule "${rule}" is not <allow|deny>:<ip|name>:<pattern>.`,
          { key: 'ipFilterRules', value: rule },
        );
      }
      const pattern = m[3]!;
      return { allow: m[1] === 'allow', kind: m[2] as 'ip' | 'name', pattern, regex: glob(pattern) };
    });
}

/** `::ffff:10.0.0.1` (an IPv4 client of a dual-stack listener) is matched as `10.0.0.1`. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function isLocal(address: string): boolean {
  if (address.startsWith('127.') || address === '::1') return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === address));
}

export type ReverseLookup = (address: string) => Promise<string[]>;

/**
 * Whether a connection from `address` is accepted. The reverse lookup runs only when a `name`
 * rule is reached, and at most once.
 */
export async function ipAllowed(
  rules: readonly IpFilterRule[],
  address: string,
  reverse: ReverseLookup = dns.reverse,
): Promise<boolean> {
  const ip = plainAddress(address);
  let name: string | undefined;
  for (const rule of rules) {
    let hit: boolean;
    if (rule.kind === 'ip') {
      hit = rule.regex.test(ip);
    } else if (rule.pattern === 'localhost' && isLocal(ip)) {
      hit = true;
    } else {
      name ??= await reverse(ip).then(
        (names) => names[0] ?? ip,
        () => ip,
      );
      hit = rule.regex.test(name);
    }
    if (hit) return rule.allow;
  }
  return true;
}
