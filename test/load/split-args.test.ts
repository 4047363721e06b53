// Ansible's key=value splitting (engine/load/split-args.ts), against the cases of Ansible's own
// test/units/parsing/test_splitter.py (v2.17.5) and the arguments the issue names.
import { expect } from 'chai';
import { joinArgs, parseKv, splitArgs, UnbalancedArgs } from '../../engine/load/split-args.js';

describe('load/split-args: key=value arguments as Ansible splits them', () => {
  it('keeps {{ }}, {% %} and quoted strings together, quotes included', () => {
    expect(splitArgs('a=b c="foo bar"')).to.deep.equal(['a=b', 'c="foo bar"']);
    expect(splitArgs('path={{ x }} state=absent')).to.deep.equal(['path={{ x }}', 'state=absent']);
    expect(splitArgs("echo {{ a | default('x y') }} chdir=/tmp")).to.deep.equal(['echo', "{{ a | default('x y') }}", 'chdir=/tmp']);
    expect(splitArgs('a={% if x %}y{% endif %} b=c')).to.deep.equal(['a={% if x %}y{% endif %}', 'b=c']);
    expect(splitArgs("a='b c' d=\"e 'f' g\"")).to.deep.equal(["a='b c'", "d=\"e 'f' g\""]);
  });

  it('keeps newlines of multi-line text and joins the words back as written', () => {
    const words = splitArgs('a=b\nc=d');
    expect(words).to.deep.equal(['a=b\n', 'c=d']);
    expect(joinArgs(words)).to.equal('a=b\nc=d');
  });

  it('refuses an unbalanced template or quote', () => {
    expect(() => splitArgs('a={{ b')).to.throw(UnbalancedArgs);
    expect(() => splitArgs('a="b')).to.throw(UnbalancedArgs);
  });

  it('parse_kv: values unquoted, escapes decoded, free words kept as raw params', () => {
    expect(parseKv('a=b c="foo bar" d=\'x\'')).to.deep.equal({ options: { a: 'b', c: 'foo bar', d: 'x' }, raw: undefined, rawWords: [] });
    expect(parseKv('content="a\\nb" dest=/x').options).to.deep.equal({ content: 'a\nb', dest: '/x' });
    expect(parseKv('msg=x\\=y').options).to.deep.equal({ msg: 'x\\=y' });
    const cmd = parseKv("echo {{ a | default('x y') }} chdir=/tmp creates=x=1", (k) => ['chdir', 'creates'].includes(k));
    expect(cmd.options).to.deep.equal({ chdir: '/tmp', creates: 'x=1' });
    expect(cmd.raw).to.equal("echo {{ a | default('x y') }}");
    expect(parseKv('echo a=b', (k) => k === 'chdir').raw).to.equal('echo a=b');
  });
});
