// Gives every instance of the multipass double's state the address $GX_GAUNTLET_VM_IP.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const file = join(process.env.GX_DOUBLE_STATE, 'multipass.json');
const db = JSON.parse(readFileSync(file, 'utf8'));
for (const vm of Object.values(db.instances)) vm.ip = process.env.GX_GAUNTLET_VM_IP;
writeFileSync(file, JSON.stringify(db, null, 1));
