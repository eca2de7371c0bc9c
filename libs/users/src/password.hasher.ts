import { Injectable } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';
import { EnvDto } from '@app/core';

/** bcrypt with BCRYPT_ROUNDS (12 by default). */
@Injectable()
export class PasswordHasher {
  /** A valid hash of a random string: compared against when the user does not exist, to keep timing flat. */
  private dummy?: Promise<string>;

  constructor(private readonly env: EnvDto) {}

  hash(plain: string): Promise<string> {
    return bcrypt.hash(plain, this.env.BCRYPT_ROUNDS);
  }

  verify(plain: string, hash: string): Promise<boolean> {
    return bcrypt.compare(plain, hash);
  }

  async verifyAgainstNothing(plain: string): Promise<false> {
    this.dummy ??= bcrypt.hash(randomBytes(16).toString('hex'), this.env.BCRYPT_ROUNDS);
    await bcrypt.compare(plain, await this.dummy);
    return false;
  }

  generatePassword(): string {
    return randomBytes(12).toString('base64url');
  }
}
