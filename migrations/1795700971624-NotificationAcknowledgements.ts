import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-user state of broadcast notifications (issue 8). A broadcast (user_id NULL) is one row seen by
 * every user, so "acknowledged" and "cleared" cannot be one boolean on it:
 *
 * - acknowledged_by: users who acknowledged this broadcast (the row's own `acknowledged` stays the
 *   flag of a personal notification);
 * - dismissed_by: users who cleared it with DELETE /notifications (it disappears for them only).
 *
 * Arrays rather than a receipts table: a site has tens to hundreds of users, broadcasts are rare and
 * the arrays are read together with the row.
 */
export class NotificationAcknowledgements1795700971624 implements MigrationInterface {
  name = 'NotificationAcknowledgements1795700971624';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications ADD COLUMN acknowledged_by UUID[] NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE notifications ADD COLUMN dismissed_by UUID[] NOT NULL DEFAULT '{}'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications DROP COLUMN dismissed_by`);
    await q.query(`ALTER TABLE notifications DROP COLUMN acknowledged_by`);
  }
}
