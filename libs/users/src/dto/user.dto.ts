import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PaginationQueryDto } from '@app/core';
import { UserEntity } from '../entities/user.entity';
import { RoleEntity } from '../entities/role.entity';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);
const lower = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export const USER_STATUSES = ['active', 'suspended'] as const;
const ROLE_ID = /^ROLE-[A-Z0-9_-]{1,45}$/;

export class UserDto {
  id: string;
  name: string;
  email: string;
  roleId: string;
  @ApiProperty({ enum: USER_STATUSES })
  status: string;
  /** ISO-8601 UTC, null before the first login. */
  lastActive: string | null;
  createdAt: string;
  updatedAt: string;

  static from(u: UserEntity): UserDto {
    return {
      id: u.id,
      name: u.name,
      email: u.email,
      roleId: u.roleId,
      status: u.status,
      lastActive: u.lastActive ? u.lastActive.toISOString() : null,
      createdAt: u.createdAt.toISOString(),
      updatedAt: u.updatedAt.toISOString(),
    };
  }
}

/** A created user; `temporaryPassword` is present (once) when no password was given. */
export class CreatedUserDto extends UserDto {
  temporaryPassword?: string;
}

export class RoleDto {
  id: string;
  name: string;
  permissions: string[];
  description: string | null;

  static from(r: RoleEntity): RoleDto {
    return { id: r.id, name: r.name, permissions: r.permissions, description: r.description };
  }
}

export class ListUsersQueryDto extends PaginationQueryDto {
  /** Role id, e.g. ROLE-OPERATOR. */
  @IsOptional()
  @IsString()
  @Matches(ROLE_ID, { message: 'role must be a role id like ROLE-OPERATOR' })
  role?: string;

  @IsOptional()
  @IsIn(USER_STATUSES)
  status?: 'active' | 'suspended';

  /** Matches name or email, case-insensitive. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  search?: string;
}

export class CreateUserDto {
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  name: string;

  @Transform(lower)
  @IsEmail()
  @MaxLength(255)
  email: string;

  @IsString()
  @Matches(ROLE_ID, { message: 'roleId must be a role id like ROLE-OPERATOR' })
  roleId: string;

  /** 10-128 characters. When absent a temporary password is generated and returned once. */
  @IsOptional()
  @IsString()
  @MinLength(10)
  @MaxLength(128)
  password?: string;
}

export class UpdateUserDto {
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  name?: string;

  @IsOptional()
  @Transform(lower)
  @IsEmail()
  @MaxLength(255)
  email?: string;

  @IsOptional()
  @IsString()
  @Matches(ROLE_ID, { message: 'roleId must be a role id like ROLE-OPERATOR' })
  roleId?: string;

  @IsOptional()
  @IsIn(USER_STATUSES)
  status?: 'active' | 'suspended';
}

export class ChangePasswordDto {
  /** The new password, 10-128 characters. */
  @IsString()
  @MinLength(10)
  @MaxLength(128)
  password: string;

  /** Required when changing your own password. */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(128)
  currentPassword?: string;
}
