import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, Repository } from 'typeorm';
import { Paginated, RedisService, VersionedCache } from '@app/core';
import { preparedQuery } from '@app/database/prepared';
import { RoleEntity } from './entities/role.entity';
import { UserEntity, UserStatus } from './entities/user.entity';
import { UserSessionEntity } from './entities/user-session.entity';
import type { UserDto } from './dto/user.dto';

/** A cached GET /users page: the DTOs and the pagination meta. */
export interface CachedUsersPage {
  items: UserDto[];
  meta: Paginated<UserDto>['meta'];
}

export interface UserListFilter {
  role?: string;
  status?: UserStatus;
  search?: string;
  skip: number;
  take: number;
}

/** Users, their roles and their refresh-token sessions. */
@Injectable()
export class UsersRepository {
  private readonly users: Repository<UserEntity>;
  private readonly roles: Repository<RoleEntity>;
  private readonly sessions: Repository<UserSessionEntity>;

  /**
   * GET /users pages, shared by every api process (issue 2: the route must take 1,000 req/s). Every
   * write to the users table below invalidates it, after its transaction commits.
   */
  readonly listCache: VersionedCache<CachedUsersPage>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    redis: RedisService,
  ) {
    this.listCache = new VersionedCache<CachedUsersPage>(redis, 'users:list');
    this.users = dataSource.getRepository(UserEntity);
    this.roles = dataSource.getRepository(RoleEntity);
    this.sessions = dataSource.getRepository(UserSessionEntity);
  }

  findById(id: string, manager?: EntityManager): Promise<UserEntity | null> {
    return (manager ?? this.dataSource.manager).getRepository(UserEntity).findOneBy({ id });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ email: email.trim().toLowerCase() });
  }

  /** The user and the permissions of their role, in one round trip (hot path: every request). */
  async findPrincipal(id: string): Promise<{ user: UserEntity; permissions: string[] } | null> {
    const rows = await preparedQuery(
      this.dataSource,
      `SELECT u.id, u.email, u.name, u.hashed_password, u.role_id, u.status, u.last_active, u.created_at, u.updated_at,
              u.version, r.permissions
         FROM users u JOIN roles r ON r.id = u.role_id
        WHERE u.id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    const user = this.fromRow(r);
    return { user, permissions: (r.permissions as string[]) ?? [] };
  }

  /** One round trip: the page and the total (count(*) OVER ()), newest first. */
  async list(f: UserListFilter): Promise<[UserEntity[], number]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.role) where.push(`role_id = $${params.push(f.role)}`);
    if (f.status) where.push(`status = $${params.push(f.status)}`);
    // search_key = lower(name) || E'\n' || lower(email) (migration UsersSearchKey): one case-sensitive
    // LIKE on a lower-cased pattern instead of two ILIKEs; control characters cannot match anything
    const search = f.search?.replace(/\p{Cc}/gu, '').toLowerCase();
    if (search) where.push(`search_key LIKE $${params.push(`%${escapeLike(search)}%`)}`);
    const limit = params.push(f.take);
    const offset = params.push(f.skip);
    // one prepared statement per filter combination (at most 8 texts)
    const rows = await preparedQuery(
      this.dataSource,
      `SELECT id, email, name, hashed_password, role_id, status, last_active, created_at, updated_at, version,
              count(*) OVER () AS total
         FROM users ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id ASC
        LIMIT $${limit} OFFSET $${offset}`,
      params,
    );
    let total = rows.length ? Number(rows[0].total) : 0;
    if (!rows.length && f.skip > 0) {
      // past the last page: the window function saw no row, count separately
      const [c] = (await this.dataSource.query(
        `SELECT count(*)::int AS n FROM users ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
        params.slice(0, limit - 1),
      )) as Array<{ n: number }>;
      total = c?.n ?? 0;
    }
    return [rows.map((r) => this.fromRow(r)), total];
  }

  private fromRow(r: Record<string, unknown>): UserEntity {
    // a plain assignment: TypeORM's create() walks the entity metadata per row (hot path: every request)
    return Object.assign(new UserEntity(), {
      id: r.id as string,
      email: r.email as string,
      name: r.name as string,
      hashedPassword: r.hashed_password as string,
      roleId: r.role_id as string,
      status: r.status as UserStatus,
      lastActive: (r.last_active as Date | null) ?? null,
      createdAt: r.created_at as Date,
      updatedAt: r.updated_at as Date,
      version: r.version as number,
    });
  }

  listRoles(): Promise<RoleEntity[]> {
    return this.roles.find({ order: { id: 'ASC' } });
  }

  findRole(id: string): Promise<RoleEntity | null> {
    return this.roles.findOneBy({ id });
  }

  async create(data: Pick<UserEntity, 'email' | 'name' | 'hashedPassword' | 'roleId' | 'status'>): Promise<UserEntity> {
    const saved = await this.users.save(this.users.create({ ...data, email: data.email.trim().toLowerCase() }));
    await this.listCache.invalidate();
    return saved;
  }

  /** With `manager` (inside withAdminLock/transaction) the list cache is invalidated when that commits. */
  async save(user: UserEntity, manager?: EntityManager): Promise<UserEntity> {
    const saved = await (manager ?? this.dataSource.manager).getRepository(UserEntity).save(user);
    if (!manager) await this.listCache.invalidate();
    return saved;
  }

  /** With `manager` (inside withAdminLock/transaction) the list cache is invalidated when that commits. */
  async delete(id: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).getRepository(UserEntity).delete({ id });
    if (!manager) await this.listCache.invalidate();
  }

  async touchLastActive(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE users SET last_active = now() WHERE id = $1`, [id]);
    await this.listCache.invalidate();
  }

  /**
   * Runs `fn` holding the lock that serialises changes to admin accounts, so two admins cannot
   * remove each other at once and leave the system without one.
   */
  async withAdminLock<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('users:admin-guard'))`);
      return fn(manager);
    });
    await this.listCache.invalidate();
    return result;
  }

  /** Active users whose role grants `*`, other than `exceptId`. */
  async countOtherActiveAdmins(manager: EntityManager, exceptId: string): Promise<number> {
    const rows: Array<{ n: string }> = await manager.query(
      `SELECT count(*)::int AS n FROM users u JOIN roles r ON r.id = u.role_id
        WHERE u.status = 'active' AND r.permissions ? '*' AND u.id <> $1`,
      [exceptId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async roleIsAdmin(roleId: string, manager?: EntityManager): Promise<boolean> {
    const rows: Array<{ admin: boolean }> = await (manager ?? this.dataSource.manager).query(
      `SELECT (permissions ? '*') AS admin FROM roles WHERE id = $1`,
      [roleId],
    );
    return rows[0]?.admin === true;
  }

  // ---- sessions -------------------------------------------------------------------------------

  createSession(
    data: {
      userId: string;
      familyId: string;
      refreshHash: string;
      expiresAt: Date;
      userAgent: string | null;
      ipAddress: string | null;
    },
    manager?: EntityManager,
  ): Promise<UserSessionEntity> {
    const repo = (manager ?? this.dataSource.manager).getRepository(UserSessionEntity);
    return repo.save(
      repo.create({
        userId: data.userId,
        familyId: data.familyId,
        refreshToken: data.refreshHash,
        expiresAt: data.expiresAt,
        userAgent: data.userAgent,
        ipAddress: data.ipAddress,
        lastUsedAt: new Date(),
      }),
    );
  }

  findSessionByHash(hash: string): Promise<UserSessionEntity | null> {
    return this.sessions.findOneBy({ refreshToken: hash });
  }

  /**
   * Atomically revokes a live session and records its successor. Returns false when it was already
   * revoked (a concurrent refresh won, or the token is being replayed).
   */
  async rotateSession(manager: EntityManager, sessionId: string, replacedBy: string): Promise<boolean> {
    const res: [unknown[], number] = await manager.query(
      `UPDATE user_sessions SET revoked_at = now(), replaced_by = $2 WHERE id = $1 AND revoked_at IS NULL`,
      [sessionId, replacedBy],
    );
    return res[1] === 1;
  }

  async revokeFamily(familyId: string): Promise<number> {
    const res = await this.sessions.update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
    return res.affected ?? 0;
  }

  /** Revokes every live session of a user, except the family of `keepFamilyId` when given. */
  async revokeUserSessions(userId: string, keepFamilyId?: string, manager?: EntityManager): Promise<number> {
    const params: unknown[] = [userId];
    let sql = `UPDATE user_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`;
    if (keepFamilyId) {
      sql += ` AND family_id <> $2`;
      params.push(keepFamilyId);
    }
    const res: [unknown[], number] = await (manager ?? this.dataSource.manager).query(sql, params);
    return res[1];
  }

  findSessionById(id: string): Promise<UserSessionEntity | null> {
    return this.sessions.findOneBy({ id });
  }

  async transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(fn);
    await this.listCache.invalidate();
    return result;
  }
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
