// The pure parts of the multipass module's spec comparison: sizes as multipass takes and prints
// them, releases named by an image argument, and the differences built from both.
import { expect } from 'chai';
import { compareSpec, type MultipassArgs } from '../../modules/multipass.js';
import { releaseOf, wantedRelease } from '../../modules/lib/multipass/image.js';
import { parseSize, sameSize } from '../../modules/lib/multipass/sizes.js';

describe('multipass spec comparison', () => {
  it('parses sizes with binary units, with or without iB/B, and plain bytes', () => {
    expect(parseSize('4G')).to.deep.equal({ bytes: 4 * 1024 ** 3, unit: 1024 ** 3 });
    expect(parseSize('4.0GiB')!.bytes).to.equal(4 * 1024 ** 3);
    expect(parseSize('512MB')!.bytes).to.equal(512 * 1024 ** 2);
    expect(parseSize('1.5g')!.bytes).to.equal(1.5 * 1024 ** 3);
    expect(parseSize('1073741824')).to.deep.equal({ bytes: 1024 ** 3, unit: 1 });
    expect(parseSize('four gigs')).to.equal(undefined);
  });

  it('matches a wanted size with the value multipass prints, within its one-decimal rounding only', () => {
    expect(sameSize('4G', '4.0GiB')).to.equal(true);
    expect(sameSize('4096M', '4.0GiB')).to.equal(true);
    expect(sameSize('1.5G', '1.5GiB')).to.equal(true);
    expect(sameSize('512M', '512.0MiB')).to.equal(true);
    // 4.04G prints as 4.0GiB: the printed text cannot tell them apart
    expect(sameSize('4.04G', '4.0GiB')).to.equal(true);
    expect(sameSize('4.1G', '4.0GiB')).to.equal(false);
    expect(sameSize('8G', '4.0GiB')).to.equal(false);
    expect(sameSize('30G', '30.0GiB')).to.equal(true);
    expect(sameSize('31G', '30.0GiB')).to.equal(false);
  });

  it('knows the release of a version or codename image, and no release for aliases, files and URLs', () => {
    expect(wantedRelease('24.04')).to.equal('24.04');
    expect(wantedRelease('noble')).to.equal('24.04');
    expect(wantedRelease('release:jammy')).to.equal('22.04');
    expect(wantedRelease('lts')).to.equal(undefined);
    expect(wantedRelease('file:///srv/noble.img')).to.equal(undefined);
    expect(wantedRelease('https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img')).to.equal(undefined);
    expect(releaseOf('24.04 LTS')).to.equal('24.04');
    expect(releaseOf('')).to.equal(undefined);
  });

  it('lists each differing key with wanted and actual values', () => {
    const a: MultipassArgs = { name: 'vm', image: '24.04', cpus: 4, memory: '8G', disk: '30G', state: 'started', purge: false, timeout: 600, on_difference: 'warn' };
    expect(compareSpec(a, { cpus: '4', memory: '8.0GiB', disk: '30.0GiB' }, { image_release: '24.04 LTS' })).to.deep.equal({});
    expect(compareSpec(a, { cpus: '2', memory: '8.0GiB', disk: '40.0GiB' }, { image_release: '22.04 LTS' })).to.deep.equal({
      cpus: { wanted: '4', actual: '2' },
      disk: { wanted: '30G', actual: '40.0GiB' },
      image: { wanted: '24.04', actual: '22.04 LTS' },
    });
  });
});
