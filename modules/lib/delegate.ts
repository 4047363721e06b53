// One module planning with another (service → systemd, package → apt, copy → file for links),
// as Ansible's action plugins hand their arguments to another module: the other module's schema
// defaults first, as the engine would apply them.
import type { ModuleContext, ModuleDefinition, Plan } from '../../engine/module-contract.js';

export function planWith(def: ModuleDefinition<any, any>, ctx: ModuleContext, args: Record<string, unknown>): Promise<Plan> {
  const defaults = Object.fromEntries(Object.entries(def.schema.properties).filter(([, p]) => 'default' in p).map(([k, p]) => [k, p.default]));
  return def.plan(ctx, { ...defaults, ...args }) as Promise<Plan>;
}
