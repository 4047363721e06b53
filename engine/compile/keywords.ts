// Which keys of a task are keywords (everything else is the action): the schema's own lists, so
// the validator, the compiler and did-you-mean agree.
import { ALL_TASK_KEYS } from '../schema/keywords.js';

export const TASK_KEYWORDS: ReadonlySet<string> = new Set(ALL_TASK_KEYS);
