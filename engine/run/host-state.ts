// What the executor remembers about a host across tasks and plays.
export class HostState {
  readonly name: string;
  /**
   * set_fact and register results: they outlive the play, like Ansible's host facts.
   * `ansible_facts` is there from the start, empty until facts are gathered, as in Ansible.
   */
  readonly facts: Record<string, unknown> = { ansible_facts: {} };
  /** names in `facts` whose values are templates rendered on read (include_vars); the rest are data */
  readonly templatedFacts = new Set<string>();
  /** failed a task (not ignored, not rescued): out of the play, and of later plays */
  failed = false;
  unreachable = false;
  /** meta: end_host, for the rest of the play */
  ended = false;
  /**
   * meta: clear_host_errors on a failed host: it stays out of the rest of this play (Ansible's
   * iterator has it complete) but is no longer failed for the run: it takes part in the next play
   */
  cleared = false;

  constructor(name: string) {
    this.name = name;
  }

  get active(): boolean {
    return !this.failed && !this.unreachable && !this.ended;
  }
}
