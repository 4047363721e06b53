// Gives every instance of the multipass double's state the address $GX_GAUNTLET_VM_IP, or, for the
// names $GX_GAUNTLET_VM_IPS lists (NAME=ADDR,NAME=ADDR: one SSH test host per VM), its own.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const file = join(process.env.GX_DOUBLE_STATE, 'multipass.json');
const db = JSON.parse(readFileSync(file, 'utf8'));
const own = Object.fromEntries((process.env.GX_GAUNTLET_VM_IPS ?? '').split(',').filter(Boolean).map((p) => p.split('=')));
for (const [name, vm] of Object.entries(db.instances)) vm.ip = own[name] ?? process.env.GX_GAUNTLET_VM_IP;
writeFileSync(file, JSON.stringify(db, null, 1));
