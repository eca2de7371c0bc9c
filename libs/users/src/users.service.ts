import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuthPrincipal, Paginated, badRequest, conflict, forbidden, notFound, pageWindow, unauthorized } from '@app/core';
import { UsersRepository } from './users.repository';
import { PasswordHasher } from './password.hasher';
import { ChangePasswordDto, CreateUserDto, CreatedUserDto, ListUsersQueryDto, RoleDto, UpdateUserDto, UserDto } from './dto/user.dto';

@Injectable()
export class UsersService {
  constructor(
    private readonly repo: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Served from the shared list cache when no user changed since the page was cached. */
  async list(q: ListUsersQueryDto): Promise<Paginated<UserDto>> {
    const { page, pageSize, skip, take } = pageWindow(q);
    const variant = createHash('sha1')
      .update(JSON.stringify([q.role ?? null, q.status ?? null, q.search ?? null, page, pageSize]))
      .digest('base64url');
    const cached = await this.repo.listCache.read(variant);
    if (cached?.value) return new Paginated(cached.value.items, cached.value.meta);
    const [rows, total] = await this.repo.list({ role: q.role, status: q.status, search: q.search, skip, take });
    const result = Paginated.of(rows.map(UserDto.from), total, page, pageSize);
    if (cached) await this.repo.listCache.write(cached.version, variant, { items: result.items, meta: result.meta });
    return result;
  }

  async get(id: string): Promise<UserDto> {
    const user = await this.repo.findById(id);
    if (!user) throw notFound('User', id);
    return UserDto.from(user);
  }

  async roles(): Promise<RoleDto[]> {
    return (await this.repo.listRoles()).map(RoleDto.from);
  }

  async create(dto: CreateUserDto): Promise<CreatedUserDto> {
    await this.assertRole(dto.roleId);
    if (await this.repo.findByEmail(dto.email)) throw conflict(`A user with email '${dto.email}' already exists`);
    const temporary = dto.password ? undefined : this.hasher.generatePassword();
    const user = await this.repo.create({
      name: dto.name,
      email: dto.email,
      roleId: dto.roleId,
      status: 'active',
      hashedPassword: await this.hasher.hash(dto.password ?? (temporary as string)),
    });
    return temporary ? { ...UserDto.from(user), temporaryPassword: temporary } : UserDto.from(user);
  }

  async update(id: string, dto: UpdateUserDto, actor: AuthPrincipal): Promise<UserDto> {
    if (dto.roleId) await this.assertRole(dto.roleId);
    return this.repo.withAdminLock(async (manager) => {
      const user = await this.repo.findById(id, manager);
      if (!user) throw notFound('User', id);
      if (id === actor.userId && dto.status === 'suspended') throw forbidden('You cannot suspend yourself');
      const losesAdmin =
        (await this.repo.roleIsAdmin(user.roleId, manager)) &&
        user.status === 'active' &&
        (dto.status === 'suspended' || (dto.roleId !== undefined && !(await this.repo.roleIsAdmin(dto.roleId, manager))));
      if (losesAdmin && (await this.repo.countOtherActiveAdmins(manager, id)) === 0) {
        throw conflict('The last active admin cannot be suspended or demoted');
      }
      if (dto.email && dto.email !== user.email) {
        const other = await this.repo.findByEmail(dto.email);
        if (other && other.id !== id) throw conflict(`A user with email '${dto.email}' already exists`);
      }
      Object.assign(user, {
        ...(dto.name !== undefined && { name: dto.name }),
        ...(dto.email !== undefined && { email: dto.email }),
        ...(dto.roleId !== undefined && { roleId: dto.roleId }),
        ...(dto.status !== undefined && { status: dto.status }),
      });
      const saved = await this.repo.save(user, manager);
      if (dto.status === 'suspended') await this.repo.revokeUserSessions(id, undefined, manager);
      return UserDto.from(saved);
    });
  }

  async remove(id: string, actor: AuthPrincipal): Promise<void> {
    if (id === actor.userId) throw forbidden('You cannot delete yourself');
    await this.repo.withAdminLock(async (manager) => {
      const user = await this.repo.findById(id, manager);
      if (!user) throw notFound('User', id);
      if (
        user.status === 'active' &&
        (await this.repo.roleIsAdmin(user.roleId, manager)) &&
        (await this.repo.countOtherActiveAdmins(manager, id)) === 0
      ) {
        throw conflict('The last active admin cannot be deleted');
      }
      // History keeps its rows: exports requested by the user lose their owner, audit rows keep the actor name.
      await manager.query(`UPDATE export_jobs SET user_id = NULL WHERE user_id = $1`, [id]);
      await this.repo.delete(id, manager);
    });
  }

  /**
   * Sets a password. Your own needs the current one; another user's needs users:write.
   * Every other session of the user is revoked (the caller's own session survives a self-change).
   */
  async changePassword(id: string, dto: ChangePasswordDto, actor: AuthPrincipal, canManage: boolean): Promise<void> {
    const self = id === actor.userId;
    if (!self && !canManage) throw forbidden();
    const user = await this.repo.findById(id);
    if (!user) throw notFound('User', id);
    if (self) {
      if (!dto.currentPassword)
        throw badRequest('currentPassword is required to change your own password', [
          { field: 'currentPassword', issue: 'currentPassword is required' },
        ]);
      if (!(await this.hasher.verify(dto.currentPassword, user.hashedPassword))) throw unauthorized('Current password is incorrect');
    }
    user.hashedPassword = await this.hasher.hash(dto.password);
    await this.repo.save(user);
    await this.repo.revokeUserSessions(id, self ? actor.sessionFamilyId : undefined);
  }

  private async assertRole(roleId: string): Promise<void> {
    if (!(await this.repo.findRole(roleId))) {
      throw badRequest(`Unknown role '${roleId}'`, [{ field: 'roleId', issue: 'unknown role' }]);
    }
  }
}
