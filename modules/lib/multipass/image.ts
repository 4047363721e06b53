// Which Ubuntu release an image argument asks for, so an existing instance's `image_release`
// ("24.04 LTS") can be compared with it. Only a version number or a known codename can be compared;
// an alias such as "lts" or "daily", a file:// image or an http(s) URL names no fixed release, and
// the comparison is then left out (undefined) rather than guessed.

const CODENAMES: Record<string, string> = {
  focal: '20.04',
  jammy: '22.04',
  noble: '24.04',
  oracular: '24.10',
  plucky: '25.04',
  questing: '25.10',
};

/** "24.04" for "24.04", "noble", "ubuntu:noble", "release:24.04"; undefined when not knowable. */
export function wantedRelease(image: string): string | undefined {
  const bare = image.replace(/^(release|daily|ubuntu):/, '').toLowerCase();
  if (/^[0-9]{2}\.[0-9]{2}$/.test(bare)) return bare;
  return CODENAMES[bare];
}

/** The release number at the start of multipass's image_release ("24.04 LTS" → "24.04"). */
export function releaseOf(imageRelease: string): string | undefined {
  return /^([0-9]{2}\.[0-9]{2})\b/.exec(imageRelease.trim())?.[1];
}
