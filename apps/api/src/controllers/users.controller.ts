import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiPaginatedResponse, Paginated, UuidParam } from '@app/core';
import type { AuthPrincipal } from '@app/core';
import { Authenticated, CurrentUser, PERMISSIONS, RequirePermission, hasPermission } from '@app/auth';
import {
  ChangePasswordDto,
  CreateUserDto,
  CreatedUserDto,
  ListUsersQueryDto,
  RoleDto,
  UpdateUserDto,
  UserDto,
  UsersService,
} from '@app/users';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Users, filtered by role, status and a search over name and email. */
  @RequirePermission(PERMISSIONS.USERS_READ)
  @ApiPaginatedResponse(UserDto)
  @Get()
  list(@Query() q: ListUsersQueryDto): Promise<Paginated<UserDto>> {
    return this.users.list(q);
  }

  /** One user. */
  @RequirePermission(PERMISSIONS.USERS_READ)
  @Get(':id')
  get(@Param('id', UuidParam) id: string): Promise<UserDto> {
    return this.users.get(id);
  }

  /** Create a user; without a password a temporary one is generated and returned once. */
  @RequirePermission(PERMISSIONS.USERS_WRITE)
  @Post()
  create(@Body() dto: CreateUserDto): Promise<CreatedUserDto> {
    return this.users.create(dto);
  }

  /** Update name, email, role or status. Nobody suspends themselves; the last active admin stays. */
  @RequirePermission(PERMISSIONS.USERS_WRITE)
  @Put(':id')
  update(@Param('id', UuidParam) id: string, @Body() dto: UpdateUserDto, @CurrentUser() actor: AuthPrincipal): Promise<UserDto> {
    return this.users.update(id, dto, actor);
  }

  /** Delete a user. Nobody deletes themselves; the last active admin cannot be deleted. */
  @RequirePermission(PERMISSIONS.USERS_DELETE)
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('id', UuidParam) id: string, @CurrentUser() actor: AuthPrincipal): Promise<void> {
    return this.users.remove(id, actor);
  }

  /**
   * Set a password: your own (with `currentPassword`) or, with `users:write`, anyone's.
   * The user's other sessions are revoked.
   */
  @Authenticated()
  @Patch(':id/password')
  @HttpCode(HttpStatus.NO_CONTENT)
  changePassword(@Param('id', UuidParam) id: string, @Body() dto: ChangePasswordDto, @CurrentUser() actor: AuthPrincipal): Promise<void> {
    return this.users.changePassword(id, dto, actor, hasPermission(actor.permissions, PERMISSIONS.USERS_WRITE));
  }
}

@ApiTags('users')
@Controller('roles')
export class RolesController {
  constructor(private readonly users: UsersService) {}

  /** The roles and their permissions. */
  @RequirePermission(PERMISSIONS.ROLES_READ)
  @Get()
  list(): Promise<RoleDto[]> {
    return this.users.roles();
  }
}
