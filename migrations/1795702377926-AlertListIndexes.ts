import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for GET /alerts (issue 8): newest first with a stable tie-break, also within one camera
 * or one kind, so a page is read straight off an index instead of sorting the matching rows.
 */
export class AlertListIndexes1795702377926 implements MigrationInterface {
  name = 'AlertListIndexes1795702377926';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_alerts_timestamp_id ON alerts (timestamp DESC, id DESC)`);
    await q.query(`CREATE INDEX idx_alerts_camera_timestamp ON alerts (camera_id, timestamp DESC, id DESC)`);
    await q.query(`CREATE INDEX idx_alerts_kind_timestamp ON alerts (kind, timestamp DESC, id DESC)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_alerts_kind_timestamp`);
    await q.query(`DROP INDEX idx_alerts_camera_timestamp`);
    await q.query(`DROP INDEX idx_alerts_timestamp_id`);
  }
}
