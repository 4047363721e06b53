// The explicit module registry: every module under its own name, its aliases and ansible.builtin.*.
// Adding a module = importing it here and listing it in `definitions`.
import { moduleNames, type ModuleDefinition } from '../engine/module-contract.js';
import add_host from './add_host.js';
import assert from './assert.js';
import async_status from './async_status.js';
import command from './command.js';
import copy from './copy.js';
import debug from './debug.js';
import fail from './fail.js';
import file from './file.js';
import meta from './meta.js';
import pause from './pause.js';
import set_fact from './set_fact.js';
import shell from './shell.js';
import stat from './stat.js';
import template from './template.js';
import apt from './apt.js';
import blockinfile from './blockinfile.js';
import get_url from './get_url.js';
import group from './group.js';
import lineinfile from './lineinfile.js';
import modprobe from './modprobe.js';
import sysctl from './sysctl.js';
import systemd from './systemd.js';
import uri from './uri.js';
import user from './user.js';
import wait_for from './wait_for.js';
import registry_push from './registry_push.js';
import kubectl from './kubectl.js';
import helm from './helm.js';
import bundle_check from './bundle_check.js';
import multipass from './multipass.js';
import k3s from './k3s.js';
import k3s_nodes from './k3s_nodes.js';
import x509_certificate from './x509_certificate.js';
import container_images from './container_images.js';
import ping from './ping.js';
import slurp from './slurp.js';
import tempfile from './tempfile.js';
import group_by from './group_by.js';
import include_vars from './include_vars.js';
import setup from './setup.js';
import script from './script.js';
import service from './service.js';
import package_ from './package.js';
import replace from './replace.js';
import find from './find.js';
import assemble from './assemble.js';

const definitions: ModuleDefinition<any, any>[] = [
  add_host,
  assert,
  async_status,
  command,
  copy,
  debug,
  fail,
  file,
  meta,
  pause,
  set_fact,
  shell,
  stat,
  template,
  apt,
  blockinfile,
  get_url,
  group,
  lineinfile,
  modprobe,
  sysctl,
  systemd,
  uri,
  user,
  wait_for,
  registry_push,
  kubectl,
  helm,
  bundle_check,
  multipass,
  k3s,
  k3s_nodes,
  x509_certificate,
  container_images,
  ping,
  slurp,
  tempfile,
  group_by,
  include_vars,
  setup,
  script,
  service,
  package_,
  replace,
  find,
  assemble,
];

function buildRegistry(defs: ModuleDefinition<any, any>[]): Map<string, ModuleDefinition<any, any>> {
  const map = new Map<string, ModuleDefinition<any, any>>();
  for (const def of defs) {
    for (const name of moduleNames(def)) {
      const other = map.get(name);
      if (other && other !== def) throw new Error(`module name '${name}' is claimed by both ${other.name} and ${def.name}`);
      map.set(name, def);
    }
  }
  return map;
}

export const modules: ReadonlyMap<string, ModuleDefinition<any, any>> = buildRegistry(definitions);

export function getModule(name: string): ModuleDefinition<any, any> | undefined {
  return modules.get(name);
}

/**
 * Every module once, sorted by name. By code point, not localeCompare: the first localeCompare of
 * a process sets up ICU's collator (~10 ms, measured), and this runs at every start (issue 16).
 * The names are ASCII; the listings that show them (gx doc --list, the README) sort for display.
 */
export const allModules: ModuleDefinition<any, any>[] = [...new Set(definitions)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
