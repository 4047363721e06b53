# Evaluates expressions with Ansible's own Templar (ansible-core from Debian) for conformance checks.
import json, sys, os
os.environ.setdefault('ANSIBLE_LOCALHOST_WARNING', 'false')
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
req = json.load(sys.stdin)
loader = DataLoader()
if req.get('basedir'): loader.set_basedir(req['basedir'])
t = Templar(loader=loader, variables=req['vars'])
out = []
for e in req['exprs']:
    try:
        # escape_backslashes=False: expressions as `when` and template files see them (playbook
        # values double backslashes inside {{ }} first; that is the template layer's business)
        v = t.template('{{ ' + e + ' }}', escape_backslashes=False)
        try:
            json.dumps(v)
            out.append({'ok': v})
        except TypeError:
            out.append({'ok': repr(v), 'repr': True})
    except Exception as ex:
        out.append({'error': type(ex).__name__ + ': ' + str(ex)[:300]})
print(json.dumps(out))
