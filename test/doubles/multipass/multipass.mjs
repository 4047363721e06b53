// A multipass command double: instances kept in $GX_DOUBLE_STATE/multipass.json, answering the calls
// the multipass module makes in the formats of multipass's JSON formatter and its client messages:
//   list --format json              {"list":[{"ipv4":[...],"name","release":"Ubuntu 24.04 LTS"|"Not Available","state"}]}
//   info NAME --format json         {"errors":[],"info":{"NAME":{"cpu_count","disks":{"sda1":{"total","used"}},"image_hash",
//                                   "image_release","ipv4","load","memory":{"total","used"},"mounts","release","snapshot_count","state"}}}
//   get local.NAME.cpus|memory|disk "2" / "4.0GiB" / "30.0GiB"
//   launch --name N --cpus C --memory M --disk D [--cloud-init FILE] [--timeout T] IMAGE
//                                   progress lines then "Launched: N"; the user data is kept in cloud-init/N
//   start N [--timeout T] | stop N | recover N | delete [--purge] N
// Errors go to stderr with exit code 2, e.g. `info failed: instance "x" does not exist`.
// $GX_DOUBLE_STATE/launch-timeout makes launch behave as when its --timeout passes: the instance
// is left Starting, the client prints "Timed out waiting for instance launch." and exits 5.
// Every call is recorded ({argv, stdin} per line in $GX_DOUBLE_LOG); fail/multipass.SUB and
// hang/multipass.SUB make a subcommand fail or hang (see ../kubectl/record.mjs).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { die, maybeFail, start } from '../kubectl/record.mjs';

const { state, argv } = start('multipass');
const sub = argv[0] ?? '';
if (maybeFail(state, 'multipass', sub)) await new Promise(() => {});

const dbFile = join(state, 'multipass.json');
const db = existsSync(dbFile) ? JSON.parse(readFileSync(dbFile, 'utf8')) : { instances: {}, nextIp: 10 };
const save = () => writeFileSync(dbFile, JSON.stringify(db, null, 1));
const fail = (msg) => die(`${sub} failed: ${msg}`, 2);

const RELEASES = { '20.04': '20.04 LTS', focal: '20.04 LTS', '22.04': '22.04 LTS', jammy: '22.04 LTS', '24.04': '24.04 LTS', noble: '24.04 LTS', lts: '24.04 LTS' };
const UNIT = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function bytes(text, what) {
  const m = /^([0-9]+(?:\.[0-9]+)?)(?:([bkmgBKMG])(?:i?[bB])?)?$/.exec(text ?? '');
  if (!m) die(`error: Invalid ${what} size "${text}"`, 1);
  return Math.floor(Number(m[1]) * UNIT[(m[2] ?? '').toLowerCase()]);
}

function human(n) {
  for (const [u, s] of [[1024 ** 3, 'GiB'], [1024 ** 2, 'MiB'], [1024, 'KiB']]) if (n >= u) return `${(n / u).toFixed(1)}${s}`;
  return `${n}B`;
}

function flag(name) {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
}

/** the positional words after the subcommand, skipping options and their values */
function positional(valued) {
  const out = [];
  for (let i = 1; i < argv.length; i++) {
    if (argv[i].startsWith('--')) {
      if (valued.includes(argv[i])) i++;
    } else out.push(argv[i]);
  }
  return out;
}

function instance(name) {
  const vm = db.instances[name];
  if (!vm) fail(`instance "${name}" does not exist`);
  return vm;
}

const sorted = (o) => (o && typeof o === 'object' && !Array.isArray(o) ? Object.fromEntries(Object.keys(o).sort().map((k) => [k, sorted(o[k])])) : o);
const print = (doc) => process.stdout.write(JSON.stringify(sorted(doc), null, 4) + '\n');
const running = (vm) => vm.state === 'Running';

switch (sub) {
  case 'list': {
    if (flag('--format') !== 'json') die('this double prints --format json only', 1);
    print({
      list: Object.entries(db.instances).map(([name, vm]) => ({
        name, state: vm.state, ipv4: running(vm) ? [vm.ip] : [], release: running(vm) ? `Ubuntu ${vm.image_release}` : 'Not Available',
      })),
    });
    break;
  }
  case 'info': {
    if (flag('--format') !== 'json') die('this double prints --format json only', 1);
    const [name] = positional(['--format']);
    const vm = instance(name);
    const up = running(vm);
    print({
      errors: [],
      info: {
        [name]: {
          state: vm.state, image_hash: 'e0c3a4e6c5b0d2f5a3b1c6d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9', image_release: vm.image_release,
          release: up ? `Ubuntu ${vm.image_release.replace(' LTS', '.1 LTS')}` : '', cpu_count: String(vm.cpus), snapshot_count: '0',
          load: up ? [0.08, 0.03, 0.01] : [],
          // the guest sees less than it was given: the kernel keeps some memory, the root filesystem is a partition
          disks: { sda1: up ? { total: String(vm.disk - 120 * 1024 ** 2), used: '2147483648' } : { total: String(vm.disk) } },
          memory: up ? { total: vm.memory - 190 * 1024 ** 2, used: 312475648 } : { total: vm.memory },
          ipv4: up ? [vm.ip, '10.42.0.0'] : [],
          mounts: {},
        },
      },
    });
    break;
  }
  case 'get': {
    // the driver of this "host" ($GX_DOUBLE_STATE/driver, default qemu: multipass' default since 1.13)
    if (argv[1] === 'local.driver') {
      process.stdout.write(`${existsSync(join(state, 'driver')) ? readFileSync(join(state, 'driver'), 'utf8').trim() : 'qemu'}\n`);
      break;
    }
    const m = /^local\.([^.]+)\.(cpus|memory|disk)$/.exec(argv[1] ?? '');
    if (!m) die(`Unrecognized settings key: '${argv[1]}'`, 1);
    const vm = db.instances[m[1]];
    if (!vm) die(`No such instance: ${m[1]}`, 2);
    process.stdout.write(`${m[2] === 'cpus' ? vm.cpus : human(vm[m[2]])}\n`);
    break;
  }
  case 'launch': {
    const valued = ['--name', '--cpus', '--memory', '--disk', '--cloud-init', '--timeout'];
    const [image = 'lts'] = positional(valued);
    const name = flag('--name');
    if (db.instances[name]) fail(`instance "${name}" already exists`);
    // a file:// image is copied as it is, no image index (default_vm_image_vault.cpp, v1.16.3): no
    // release title is known for it, so image_release is ""
    if (image.startsWith('file://')) {
      const path = image.slice('file://'.length);
      if (!path.startsWith('/')) fail(`Invalid file URL \`${image}\`; did you forget a slash?`);
      if (!existsSync(path)) fail(`Custom image \`${path}\` does not exist.`);
    }
    const release = image.startsWith('file://') ? '' : RELEASES[image];
    if (release === undefined) fail(`Unable to find an image matching "${image}" in remote "".`);
    const ci = flag('--cloud-init');
    if (ci !== undefined) {
      if (!existsSync(ci)) die(`error loading cloud-init config: bad file`, 1);
      mkdirSync(join(state, 'cloud-init'), { recursive: true });
      writeFileSync(join(state, 'cloud-init', name), readFileSync(ci));
    }
    const vm = { state: 'Running', cpus: Number(flag('--cpus') ?? 1), memory: bytes(flag('--memory') ?? '1G', 'memory'), disk: bytes(flag('--disk') ?? '5G', 'disk'), image_release: release, image, ip: `10.62.187.${db.nextIp++}` };
    db.instances[name] = vm;
    if (existsSync(join(state, 'launch-timeout'))) {
      // the client stops waiting at --timeout; the daemon goes on launching
      vm.state = 'Starting';
      save();
      process.stdout.write(`Creating ${name}\nStarting ${name}\n`);
      die('Timed out waiting for instance launch.', 5);
    }
    save();
    process.stdout.write(`Retrieving image: 100%\nVerifying image\nCreating ${name}\nStarting ${name}\nWaiting for initialization to complete\nLaunched: ${name}\n`);
    break;
  }
  case 'start': {
    const [name] = positional(['--timeout']);
    const vm = instance(name);
    if (vm.state === 'Deleted') fail(`instance "${name}" is deleted`);
    vm.state = 'Running';
    save();
    break;
  }
  case 'stop': {
    const [name] = positional([]);
    const vm = instance(name);
    if (vm.state === 'Deleted') fail(`instance "${name}" is deleted`);
    vm.state = 'Stopped';
    save();
    break;
  }
  case 'recover': {
    const [name] = positional([]);
    const vm = instance(name);
    if (vm.state === 'Deleted') vm.state = 'Stopped';
    save();
    break;
  }
  case 'delete': {
    const [name] = positional([]);
    instance(name);
    if (argv.includes('--purge')) delete db.instances[name];
    else db.instances[name].state = 'Deleted';
    save();
    break;
  }
  default:
    die(`Invalid command: ${sub}`, 1);
}
