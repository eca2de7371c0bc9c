import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EnvDto } from '@app/core';

const COMMIT = /^[0-9a-f]{7,40}$/i;

/** `version` of package.json in `root` (the working directory: the project root in every run mode). */
export function readPackageVersion(root = process.cwd()): string {
  try {
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * The commit checked out in `root`, read from `.git` without running git: HEAD is either a commit
 * or `ref: refs/heads/x`, resolved through the loose ref file or packed-refs. Null when not a checkout
 * (container images set GIT_COMMIT instead).
 */
export function readGitCommit(root = process.cwd()): string | null {
  const git = join(root, '.git');
  try {
    const head = readFileSync(join(git, 'HEAD'), 'utf8').trim();
    if (COMMIT.test(head)) return head;
    const ref = /^ref:\s*(refs\/[^\s]+)$/.exec(head)?.[1];
    if (!ref || ref.includes('..')) return null;
    try {
      const loose = readFileSync(join(git, ref), 'utf8').trim();
      if (COMMIT.test(loose)) return loose;
    } catch {
      /* packed */
    }
    for (const line of readFileSync(join(git, 'packed-refs'), 'utf8').split('\n')) {
      const [sha, name] = line.trim().split(' ');
      if (name === ref && sha && COMMIT.test(sha)) return sha;
    }
    return null;
  } catch {
    return null;
  }
}

/** Version and commit of this build, fixed at start: GIT_COMMIT wins over the checkout's HEAD. */
@Injectable()
export class AppVersionService {
  readonly version: string;
  readonly commit: string | null;
  readonly startedAt = new Date();

  constructor(env: EnvDto) {
    this.version = readPackageVersion();
    const fromEnv = env.GIT_COMMIT?.trim();
    this.commit = fromEnv ? fromEnv : readGitCommit();
  }
}
