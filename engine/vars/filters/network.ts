// ansible.utils' IP filters (ipaddr, ipv4, ipv6, ipwrap), ported from
// ansible_collections/ansible/utils/plugins/plugin_utils/base/ipaddr_utils.py (Debian's ansible 7
// package) with netaddr's semantics (netaddr 0.8: IPNetwork, is_private…). kubespray and debops
// use them in most network settings. Addresses are BigInts so IPv6 and IPv4 share one code path.
import { pyStr } from '../values.js';
import { Fail, type Fn } from './args.js';

interface Net {
  version: 4 | 6;
  ip: bigint;
  prefixlen: number;
}

const width = (v: 4 | 6): number => (v === 4 ? 32 : 128);
const maxInt = (v: 4 | 6): bigint => (1n << BigInt(width(v))) - 1n;
const netmask = (n: Net): bigint => maxInt(n.version) ^ hostmask(n);
const hostmask = (n: Net): bigint => (1n << BigInt(width(n.version) - n.prefixlen)) - 1n;
const network = (n: Net): bigint => n.ip & netmask(n);
const last = (n: Net): bigint => network(n) | hostmask(n);
const size = (n: Net): bigint => 1n << BigInt(width(n.version) - n.prefixlen);
/** netaddr: IPv4 networks larger than two addresses have a broadcast address; IPv6 none */
const broadcast = (n: Net): bigint | undefined => (n.version === 4 && width(4) - n.prefixlen > 1 ? last(n) : undefined);

function parseV4(s: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n);
}

function parseV6(s: string): bigint | undefined {
  let text = s;
  // an IPv4 tail (::ffff:1.2.3.4) is two groups
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = parseV4(v4[1]!);
    if (n === undefined) return undefined;
    text = `${text.slice(0, -v4[1]!.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  if (!/^[0-9a-fA-F:]+$/.test(text) || (text.match(/::/g) ?? []).length > 1) return undefined;
  const groups = (x: string): bigint[] | undefined => {
    if (x === '') return [];
    const g = x.split(':');
    if (g.some((p) => !/^[0-9a-fA-F]{1,4}$/.test(p))) return undefined;
    return g.map((p) => BigInt(`0x${p}`));
  };
  const double = text.includes('::');
  const [head, rest] = double ? text.split('::') : [text, ''];
  const a = groups(head!);
  const b = groups(rest!);
  if (!a || !b) return undefined;
  const known = a.length + b.length;
  if (double ? known > 7 : known !== 8) return undefined;
  return [...a, ...Array.from({ length: 8 - known }, () => 0n), ...b].reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** netaddr.IPNetwork(text): an address, address/prefix, or IPv4 address/netmask. */
function parseNet(text: string): Net | undefined {
  const [addr, pre, extra] = text.trim().split('/');
  if (extra !== undefined || !addr) return undefined;
  let version: 4 | 6 = 4;
  let ip = parseV4(addr);
  if (ip === undefined) {
    ip = parseV6(addr);
    version = 6;
  }
  if (ip === undefined) return undefined;
  let prefixlen = width(version);
  if (pre !== undefined) {
    if (/^\d+$/.test(pre)) prefixlen = Number(pre);
    else if (version === 4 && parseV4(pre) !== undefined) {
      const mask = parseV4(pre)!;
      const inv = (mask ^ maxInt(4)) + 1n;
      if ((inv & (inv - 1n)) !== 0n) return undefined;
      prefixlen = 32 - (inv.toString(2).length - 1);
    } else return undefined;
    if (prefixlen > width(version)) return undefined;
  }
  return { version, ip, prefixlen };
}

function fmtV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
}

/** RFC 5952 text (netaddr's): lower case, the longest run of zero groups as ::, ::ffff:a.b.c.d for mapped IPv4. */
function fmtV6(n: bigint): string {
  if (n >> 32n === 0xffffn) return `::ffff:${fmtV4(n & 0xffffffffn)}`;
  const g = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt((7 - i) * 16)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

const fmt = (v: 4 | 6, n: bigint): string => (v === 4 ? fmtV4(n) : fmtV6(n));
const cidr = (n: Net): string => `${fmt(n.version, network(n))}/${n.prefixlen}`;
const str = (n: Net): string => `${fmt(n.version, n.ip)}/${n.prefixlen}`;

function within(n: Net, nets: string[]): boolean {
  return nets.some((c) => {
    const r = parseNet(c)!;
    return r.version === n.version && network(n) >= network(r) && last(n) <= last(r);
  });
}
const PRIVATE = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '239.0.0.0/8', 'fc00::/7', 'fec0::/10'];
const LINK_LOCAL = ['169.254.0.0/16', 'fe80::/10'];
const MULTICAST = ['224.0.0.0/4', 'ff00::/8'];
const isPrivate = (n: Net): boolean => within(n, PRIVATE) || within(n, LINK_LOCAL);
const ipOnly = (n: Net): Net => ({ version: n.version, ip: n.ip, prefixlen: width(n.version) });
const isPow2 = (x: bigint): boolean => (x & (x - 1n)) === 0n;

type Vtype = 'address' | 'network';

function usable(n: Net): [bigint, bigint] | undefined {
  if (size(n) === 2n) return [network(n), last(n)];
  if (size(n) > 1n) return [network(n) + 1n, last(n) - 1n];
  return undefined;
}

function query(n: Net, q: string, vtype: Vtype, value: unknown, alias: string): unknown {
  const sz = size(n);
  const notNet = (): never => {
    throw new Fail(`${alias}: Not a network address`);
  };
  switch (q) {
    case '':
      return vtype === 'address' ? fmt(n.version, n.ip) : str(n);
    case 'address':
    case 'ip':
      if (sz === 1n) return fmt(n.version, n.ip);
      if (n.ip !== network(n) || broadcast(n) === undefined || n.version === 6) return fmt(n.version, n.ip);
      return null;
    case 'address/prefix':
    case 'gateway':
    case 'gw':
    case 'host/prefix':
    case 'hostnet':
    case 'router':
      if (sz > 2n && (n.ip === network(n) || n.ip === broadcast(n))) return false;
      return str(n);
    case 'bool':
      return true;
    case 'broadcast':
      return sz > 2n && broadcast(n) !== undefined ? fmt(n.version, broadcast(n)!) : null;
    case 'cidr':
      return str(n);
    case 'host':
      if (sz === 1n) return str(n);
      return n.ip !== network(n) || broadcast(n) === undefined ? str(n) : null;
    case 'hostmask':
    case 'wildcard':
      return fmt(n.version, hostmask(n));
    case 'int':
      return vtype === 'address' ? Number(n.ip) : `${n.ip}/${n.prefixlen}`;
    case 'ip/prefix':
      if (sz === 2n || (sz > 1n && n.ip !== network(n))) return str(n);
      return null;
    case 'ip_netmask':
      if (sz === 2n || (sz > 1n && n.ip !== network(n))) return `${fmt(n.version, n.ip)} ${fmt(n.version, netmask(n))}`;
      return null;
    case 'ipv4':
    case 'v4':
      if (n.version === 4) return value;
      return n.ip >> 32n === 0xffffn || n.ip >> 32n === 0n ? `${fmtV4(n.ip & 0xffffffffn)}/${n.prefixlen - 96}` : false;
    case 'ipv6':
    case 'v6':
      return n.version === 6 ? value : `::ffff:${fmtV4(n.ip)}/${n.prefixlen + 96}`;
    case 'link-local':
      return within(ipOnly(n), LINK_LOCAL) ? value : null;
    case 'lo':
    case 'loopback':
      return (n.version === 4 ? within(ipOnly(n), ['127.0.0.0/8']) : n.ip === 1n) ? value : null;
    case 'multicast':
      return within(n, MULTICAST) ? value : null;
    case 'unicast':
      return within(n, MULTICAST) ? null : value;
    case 'net':
      return sz > 1n && n.ip === network(n) ? cidr(n) : null;
    case 'netmask':
      return fmt(n.version, netmask(n));
    case 'network':
    case 'network_id':
      return fmt(n.version, network(n));
    case 'network/prefix':
    case 'subnet':
      return cidr(n);
    case 'network_netmask':
      return `${fmt(n.version, network(n))} ${fmt(n.version, netmask(n))}`;
    case 'network_wildcard':
      return `${fmt(n.version, network(n))} ${fmt(n.version, hostmask(n))}`;
    case 'prefix':
      return n.prefixlen;
    case 'private':
      return isPrivate(n) ? value : null;
    case 'public': {
      const ip = ipOnly(n);
      const ok = !within(ip, MULTICAST) && !isPrivate(ip) && !(n.version === 4 ? within(ip, ['127.0.0.0/8']) : n.ip === 1n) && !isPow2((n.ip ^ maxInt(n.version)) + 1n) && !isPow2(n.ip + 1n);
      return ok ? value : null;
    }
    case 'size':
      return Number(sz);
    case 'size_usable':
      return sz === 1n ? 0 : sz === 2n ? 2 : Number(sz - 2n);
    case 'type':
      return sz === 1n || n.ip !== network(n) ? 'address' : 'network';
    case 'version':
      return n.version;
    case 'wrap':
      if (n.version === 6) return vtype === 'address' ? `[${fmt(6, n.ip)}]` : `[${fmt(6, n.ip)}]/${n.prefixlen}`;
      return value;
    case 'first_usable':
    case 'last_usable':
    case 'next_usable':
    case 'previous_usable':
    case 'range_usable': {
      if (vtype === 'address') notNet();
      const u = usable(n);
      if (!u) return null;
      if (q === 'first_usable') return fmt(n.version, u[0]);
      if (q === 'last_usable') return fmt(n.version, u[1]);
      if (q === 'range_usable') return `${fmt(n.version, u[0])}-${fmt(n.version, u[1])}`;
      const x = q === 'next_usable' ? n.ip + 1n : n.ip - 1n;
      return x >= u[0] && x <= u[1] ? fmt(n.version, x) : null;
    }
    case 'revdns': {
      if (n.version === 4) return `${fmtV4(n.ip).split('.').reverse().join('.')}.in-addr.arpa.`;
      return `${n.ip.toString(16).padStart(32, '0').split('').reverse().join('.')}.ip6.arpa.`;
    }
  }
  // a number: the n-th address of the network (negative from the end)
  if (/^-?\d+$/.test(q)) {
    if (sz === 1n) return vtype === 'address' ? fmt(n.version, n.ip) : str(n);
    const i = BigInt(q);
    if (i >= sz || -i > sz) return false;
    const ip = i >= 0n ? network(n) + i : last(n) + 1n + i;
    return `${fmt(n.version, ip)}/${n.prefixlen}`;
  }
  // a network: is the value inside it
  const range = parseNet(q);
  if (range && q.includes('/')) return range.version === n.version && network(n) >= network(range) && last(n) <= last(range) ? value : null;
  throw new Fail(`${alias}: unknown filter type: ${q}`);
}

export function ipaddr(value: unknown, q: unknown = '', version: 0 | 4 | 6 = 0, alias = 'ipaddr'): unknown {
  if (Array.isArray(value)) return value.map((e) => ipaddr(e, q, version, alias)).filter((x) => x !== false && x !== null && x !== '' && x !== 0);
  if (value === null || value === undefined || value === false || value === true || value === '' || value === 0) return false;
  const qs = q === undefined || q === null ? '' : pyStr(q);
  const text = pyStr(value);
  let n: Net | undefined;
  let vtype: Vtype;
  let shown: unknown = value;
  if (/^\d+$/.test(text)) {
    const i = BigInt(text);
    if (version !== 6 && i <= maxInt(4)) n = { version: 4, ip: i, prefixlen: 32 };
    else if (i <= maxInt(6)) n = { version: 6, ip: i, prefixlen: 128 };
    else return false;
    vtype = 'address';
    shown = str(n);
  } else {
    n = parseNet(text);
    if (!n) return false;
    vtype = text.includes('/') ? 'network' : 'address';
  }
  if (version && n.version !== version) return false;
  return query(n, qs, vtype, shown, alias);
}

/** ipwrap: IPv6 addresses in brackets; anything else, IPv4 included, as it is. */
function ipwrap(value: unknown, q: unknown): unknown {
  const one = (v: unknown): unknown => {
    try {
      const r = ipaddr(v, q ?? '', 0, 'ipwrap');
      return r ? ipaddr(r, 'wrap') : v;
    } catch {
      return v;
    }
  };
  return Array.isArray(value) ? value.map(one) : one(value);
}

/** ansible.utils' IP tests (plugins/test/*.py, on Python's ipaddress, networks not strict). */
function netOf(v: unknown): Net | undefined {
  return typeof v === 'string' ? parseNet(v) : undefined;
}
const inside = (a: Net, b: Net): boolean => a.version === b.version && network(a) >= network(b) && last(a) <= last(b);

export const NETWORK_TESTS: Record<string, Fn> = {
  ip: (v) => netOf(v) !== undefined,
  ip_address: (v) => typeof v === 'string' && !v.includes('/') && netOf(v) !== undefined,
  ipv4: (v) => netOf(v)?.version === 4,
  ipv6: (v) => netOf(v)?.version === 6,
  ipv4_address: (v) => typeof v === 'string' && !v.includes('/') && netOf(v)?.version === 4,
  ipv6_address: (v) => typeof v === 'string' && !v.includes('/') && netOf(v)?.version === 6,
  in_network: (v, [net]) => {
    const a = netOf(v);
    const b = netOf(net);
    return !!a && !!b && inside({ ...a, prefixlen: width(a.version) }, b);
  },
  in_any_network: (v, [nets]) => {
    const a = netOf(v);
    return !!a && Array.isArray(nets) && nets.some((n) => {
      const b = netOf(n);
      return !!b && inside({ ...a, prefixlen: width(a.version) }, b);
    });
  },
  subnet_of: (v, [net]) => {
    const a = netOf(v);
    const b = netOf(net);
    return !!a && !!b && inside(a, b);
  },
  supernet_of: (v, [net]) => {
    const a = netOf(v);
    const b = netOf(net);
    return !!a && !!b && inside(b, a);
  },
};

export const NETWORK_FILTERS: Record<string, Fn> = {
  ipaddr: (v, [q]) => ipaddr(v, q, 0, 'ipaddr'),
  ipv4: (v, [q]) => ipaddr(v, q, 4, 'ipv4'),
  ipv6: (v, [q]) => ipaddr(v, q, 6, 'ipv6'),
  ipwrap: (v, [q]) => ipwrap(v, q),
};
