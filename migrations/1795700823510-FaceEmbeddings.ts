import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * face_embeddings: one face embedding per enrolment image and model (issue 4).
 *
 * - embedding BYTEA of float32 little-endian values (see FaceEmbeddingEntity for why not REAL[]),
 *   with a CHECK tying its length to `dimension`;
 * - profile_id and image_id both cascade: deleting an image or a profile removes its templates in
 *   the same statement, so no biometric row can outlive what it was computed from;
 * - one embedding per image and model (uq_face_embeddings_image_model).
 */
export class FaceEmbeddings1795700823510 implements MigrationInterface {
  name = 'FaceEmbeddings1795700823510';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE face_embeddings (
        id            UUID         NOT NULL DEFAULT gen_random_uuid(),
        profile_id    UUID         NOT NULL,
        image_id      UUID         NOT NULL,
        embedding     BYTEA        NOT NULL,
        dimension     INTEGER      NOT NULL,
        model_name    VARCHAR(100) NOT NULL,
        model_version VARCHAR(50)  NOT NULL,
        quality       JSONB        NOT NULL DEFAULT '{}',
        created_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
        CONSTRAINT pk_face_embeddings PRIMARY KEY (id),
        CONSTRAINT uq_face_embeddings_image_model UNIQUE (image_id, model_name),
        CONSTRAINT chk_face_embeddings_dimension CHECK (dimension > 0 AND octet_length(embedding) = dimension * 4),
        CONSTRAINT fk_face_embeddings_profile FOREIGN KEY (profile_id) REFERENCES face_profiles (id) ON DELETE CASCADE,
        CONSTRAINT fk_face_embeddings_image FOREIGN KEY (image_id) REFERENCES face_images (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idx_face_embeddings_profile_id ON face_embeddings (profile_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE face_embeddings`);
  }
}
