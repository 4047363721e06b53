# Renders templates with Ansible's own Templar (ansible-core from Debian) for the Jinja conformance
# table: `value` cases as a playbook value is templated (Templar.template), `file` cases as the
# template action renders a file (lib/ansible/plugins/action/template.py: AnsibleEnvironment,
# do_template(preserve_trailing_newlines=True, escape_backslashes=False)).
import json, sys, os
os.environ.setdefault('ANSIBLE_LOCALHOST_WARNING', 'false')
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, AnsibleEnvironment
req = json.load(sys.stdin)
loader = DataLoader()
out = []
for c in req['cases']:
    try:
        t = Templar(loader=loader, variables=c.get('vars', {}))
        if c.get('file'):
            # as ansible-core 2.14's template action: the settings go to copy_with_new_env
            ft = t.copy_with_new_env(environment_class=AnsibleEnvironment, searchpath=[c.get('dir', '.')], newline_sequence='\n',
                                     available_variables=c.get('vars', {}), trim_blocks=c.get('trim_blocks', True), lstrip_blocks=c.get('lstrip_blocks', False))
            v = ft.do_template(c['text'], preserve_trailing_newlines=True, escape_backslashes=False)
        else:
            v = t.template(c['text'])
        out.append({'ok': v if isinstance(v, (str, int, float, bool, list, dict, type(None))) else repr(v)})
    except Exception as ex:
        out.append({'error': type(ex).__name__ + ': ' + str(ex)[:300]})
print(json.dumps(out))
