import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The 22 tables of the spec ("Database Design"), hand-written, with the columns later features need.
 * The entities under libs/<domain>/src/entities mirror this file exactly: `migrate:check` fails when
 * they drift apart.
 *
 * Deviations from the spec's SQL, on purpose:
 * - every column with a DEFAULT is also NOT NULL (created_at, updated_at, version, enabled, tags,
 *   status, counters...): the spec left them nullable, which only lets NULL sneak into booleans/counters;
 * - CHECK constraints on every enum the spec lists in a comment (status, level, severity, ...);
 * - real foreign keys where the spec only says "FK" in a comment (users.role_id);
 * - UNIQUE/PRIMARY KEY/FOREIGN KEY constraints carry explicit names (pk_, uq_, fk_, chk_);
 * - camera_summaries.date defaults to ('now'::text)::date, which is what CURRENT_DATE used to be:
 *   TypeORM's schema diff normalises CURRENT_DATE to it, so this spelling keeps the diff empty;
 * - extra indexes, each commented below.
 * Tables are created parents first; `down` drops them children first.
 */
export class InitialSchema1764150000000 implements MigrationInterface {
  name = 'InitialSchema1764150000000';

  public async up(q: QueryRunner): Promise<void> {
    // ---------------------------------------------------------------- users, roles, sessions
    await q.query(`
      CREATE TABLE roles (
        id          VARCHAR(50)  NOT NULL,
        name        VARCHAR(50)  NOT NULL,
        permissions JSONB        NOT NULL,
        description TEXT,
        created_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
        updated_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
        CONSTRAINT pk_roles PRIMARY KEY (id)
      )`);

    await q.query(`
      CREATE TABLE users (
        id              UUID         NOT NULL DEFAULT gen_random_uuid(),
        email           VARCHAR(255) NOT NULL,
        name            VARCHAR(255) NOT NULL,
        hashed_password VARCHAR(255) NOT NULL,
        role_id         VARCHAR(50)  NOT NULL,
        status          VARCHAR(20)  NOT NULL DEFAULT 'active',
        last_active     TIMESTAMPTZ,
        created_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
        updated_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
        version         INTEGER      NOT NULL DEFAULT 1,
        CONSTRAINT pk_users PRIMARY KEY (id),
        CONSTRAINT uq_users_email UNIQUE (email),
        CONSTRAINT fk_users_role FOREIGN KEY (role_id) REFERENCES roles (id) ON DELETE RESTRICT,
        CONSTRAINT chk_users_status CHECK (status IN ('active', 'suspended'))
      )`);
    await q.query(`CREATE INDEX idx_users_email ON users (email)`);
    await q.query(`CREATE INDEX idx_users_role_id ON users (role_id)`);

    await q.query(`
      CREATE TABLE user_sessions (
        id            UUID         NOT NULL DEFAULT gen_random_uuid(),
        user_id       UUID         NOT NULL,
        refresh_token VARCHAR(512) NOT NULL,
        expires_at    TIMESTAMPTZ  NOT NULL,
        created_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
        family_id     UUID         NOT NULL,
        revoked_at    TIMESTAMPTZ,
        replaced_by   UUID,
        last_used_at  TIMESTAMPTZ,
        user_agent    TEXT,
        ip_address    INET,
        CONSTRAINT pk_user_sessions PRIMARY KEY (id),
        CONSTRAINT uq_user_sessions_refresh_token UNIQUE (refresh_token),
        CONSTRAINT fk_user_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idx_user_sessions_user_id ON user_sessions (user_id)`);
    await q.query(`CREATE INDEX idx_user_sessions_token ON user_sessions (refresh_token)`);
    await q.query(`CREATE INDEX idx_user_sessions_expires ON user_sessions (expires_at)`);
    // addition: revoke a whole refresh-token family
    await q.query(`CREATE INDEX idx_user_sessions_family_id ON user_sessions (family_id)`);

    await q.query(`
      CREATE TABLE user_preferences (
        id          UUID        NOT NULL DEFAULT gen_random_uuid(),
        user_id     UUID        NOT NULL,
        theme       VARCHAR(20) NOT NULL DEFAULT 'dark',
        grid_mode   VARCHAR(20) NOT NULL DEFAULT '3x3',
        auto_rotate BOOLEAN     NOT NULL DEFAULT true,
        language    VARCHAR(10) NOT NULL DEFAULT 'en',
        timezone    VARCHAR(50) NOT NULL DEFAULT 'UTC',
        preferences JSONB       NOT NULL DEFAULT '{}',
        created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT pk_user_preferences PRIMARY KEY (id),
        CONSTRAINT uq_user_preferences_user_id UNIQUE (user_id),
        CONSTRAINT fk_user_preferences_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);

    // ---------------------------------------------------------------- cameras
    await q.query(`
      CREATE TABLE cameras (
        id                 VARCHAR(50)   NOT NULL,
        name               VARCHAR(255)  NOT NULL,
        location           VARCHAR(255)  NOT NULL,
        stream_type        VARCHAR(20)   NOT NULL,
        stream_url         TEXT,
        stream_url_masked  TEXT,
        status             VARCHAR(20)   NOT NULL DEFAULT 'offline',
        fps                INTEGER       NOT NULL DEFAULT 0,
        latency            NUMERIC(10,2) NOT NULL DEFAULT 0,
        bitrate            NUMERIC(10,2) NOT NULL DEFAULT 0,
        resolution         VARCHAR(20),
        ip_address         INET,
        tags               JSONB         NOT NULL DEFAULT '[]',
        thumbnail          VARCHAR(255),
        enabled            BOOLEAN       NOT NULL DEFAULT true,
        last_seen          TIMESTAMPTZ,
        last_checked       TIMESTAMPTZ,
        created_at         TIMESTAMPTZ   NOT NULL DEFAULT now(),
        updated_at         TIMESTAMPTZ   NOT NULL DEFAULT now(),
        version            INTEGER       NOT NULL DEFAULT 1,
        rtsp_transport     VARCHAR(3)    NOT NULL DEFAULT 'tcp',
        sample_interval_ms INTEGER       NOT NULL DEFAULT 2000,
        sampling_enabled   BOOLEAN       NOT NULL DEFAULT true,
        timezone           VARCHAR(64),
        codec              VARCHAR(50),
        offline_since      TIMESTAMPTZ,
        deleted_at         TIMESTAMPTZ,
        CONSTRAINT pk_cameras PRIMARY KEY (id),
        CONSTRAINT chk_cameras_stream_type CHECK (stream_type IN ('RTSP', 'USB', 'HTTP', 'Socket', 'Local File')),
        CONSTRAINT chk_cameras_status CHECK (status IN ('online', 'offline', 'maintenance')),
        CONSTRAINT chk_cameras_rtsp_transport CHECK (rtsp_transport IN ('tcp', 'udp')),
        CONSTRAINT chk_cameras_sample_interval_ms CHECK (sample_interval_ms > 0)
      )`);
    await q.query(`CREATE INDEX idx_cameras_status ON cameras (status)`);
    await q.query(`CREATE INDEX idx_cameras_enabled ON cameras (enabled)`);

    await q.query(`
      CREATE TABLE camera_summaries (
        id               UUID         NOT NULL DEFAULT gen_random_uuid(),
        camera_id        VARCHAR(50)  NOT NULL,
        detections_today INTEGER      NOT NULL DEFAULT 0,
        unknown_faces    INTEGER      NOT NULL DEFAULT 0,
        uptime_percent   NUMERIC(5,2) NOT NULL DEFAULT 0,
        date             DATE         NOT NULL DEFAULT ('now'::text)::date,
        created_at       TIMESTAMPTZ  NOT NULL DEFAULT now(),
        updated_at       TIMESTAMPTZ  NOT NULL DEFAULT now(),
        online_checks    INTEGER      NOT NULL DEFAULT 0,
        total_checks     INTEGER      NOT NULL DEFAULT 0,
        CONSTRAINT pk_camera_summaries PRIMARY KEY (id),
        CONSTRAINT uq_camera_summaries_camera_date UNIQUE (camera_id, date),
        CONSTRAINT fk_camera_summaries_camera FOREIGN KEY (camera_id) REFERENCES cameras (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idx_camera_summaries_camera_id ON camera_summaries (camera_id)`);
    await q.query(`CREATE INDEX idx_camera_summaries_date ON camera_summaries (date)`);

    // ---------------------------------------------------------------- detections
    await q.query(`
      CREATE TABLE detections (
        id           UUID         NOT NULL DEFAULT gen_random_uuid(),
        person_id    VARCHAR(50),
        name         VARCHAR(255),
        camera_id    VARCHAR(50)  NOT NULL,
        confidence   NUMERIC(5,2) NOT NULL,
        timestamp    TIMESTAMPTZ  NOT NULL,
        track_id     VARCHAR(100),
        bounding_box JSONB,
        thumbnail    VARCHAR(255),
        status       VARCHAR(20)  NOT NULL,
        created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
        CONSTRAINT pk_detections PRIMARY KEY (id),
        CONSTRAINT fk_detections_camera FOREIGN KEY (camera_id) REFERENCES cameras (id),
        CONSTRAINT chk_detections_status CHECK (status IN ('authorized', 'visitor', 'unknown'))
      )`);
    await q.query(`CREATE INDEX idx_detections_camera_id ON detections (camera_id)`);
    await q.query(`CREATE INDEX idx_detections_timestamp ON detections (timestamp DESC)`);
    await q.query(`CREATE INDEX idx_detections_person_id ON detections (person_id)`);
    // addition: live detections of one camera, newest first
    await q.query(`CREATE INDEX idx_detections_camera_timestamp ON detections (camera_id, timestamp DESC)`);

    await q.query(`
      CREATE TABLE detection_event_logs (
        id            UUID         NOT NULL DEFAULT gen_random_uuid(),
        camera_id     VARCHAR(50)  NOT NULL,
        camera_name   VARCHAR(255),
        timestamp     TIMESTAMPTZ  NOT NULL,
        status        VARCHAR(20)  NOT NULL,
        latency_ms    INTEGER,
        payload       JSONB,
        error_message TEXT,
        created_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
        CONSTRAINT pk_detection_event_logs PRIMARY KEY (id),
        CONSTRAINT fk_detection_event_logs_camera FOREIGN KEY (camera_id) REFERENCES cameras (id),
        CONSTRAINT chk_detection_event_logs_status CHECK (status IN ('received', 'processing', 'error'))
      )`);
    await q.query(`CREATE INDEX idx_detection_event_logs_camera_id ON detection_event_logs (camera_id)`);
    await q.query(`CREATE INDEX idx_detection_event_logs_timestamp ON detection_event_logs (timestamp DESC)`);

    await q.query(`
      CREATE TABLE detection_provider_config (
        id                 INTEGER      NOT NULL DEFAULT 1,
        provider_name      VARCHAR(255) NOT NULL,
        endpoint           TEXT         NOT NULL,
        api_key            VARCHAR(512),
        enabled            BOOLEAN      NOT NULL DEFAULT true,
        status             VARCHAR(20)  NOT NULL DEFAULT 'offline',
        last_heartbeat     TIMESTAMPTZ,
        average_latency_ms INTEGER      NOT NULL DEFAULT 0,
        created_at         TIMESTAMPTZ  NOT NULL DEFAULT now(),
        updated_at         TIMESTAMPTZ  NOT NULL DEFAULT now(),
        version            INTEGER      NOT NULL DEFAULT 1,
        kind               VARCHAR(20)  NOT NULL DEFAULT 'builtin',
        settings           JSONB        NOT NULL DEFAULT '{}',
        CONSTRAINT pk_detection_provider_config PRIMARY KEY (id),
        CONSTRAINT chk_singleton CHECK (id = 1),
        CONSTRAINT chk_detection_provider_config_status CHECK (status IN ('connected', 'degraded', 'offline')),
        CONSTRAINT chk_detection_provider_config_kind CHECK (kind IN ('builtin', 'http', 'compreface', 'codeproject'))
      )`);
    await q.query(`
      INSERT INTO detection_provider_config (id, provider_name, endpoint, kind, enabled, status)
      VALUES (1, 'Built-in engine', 'builtin://local', 'builtin', true, 'offline')`);

    // ---------------------------------------------------------------- attendance
    await q.query(`
      CREATE TABLE shift_schedules (
        id                 VARCHAR(50)  NOT NULL,
        name               VARCHAR(255) NOT NULL,
        start_time         TIME         NOT NULL,
        end_time           TIME         NOT NULL,
        location           VARCHAR(255),
        expected_headcount INTEGER      NOT NULL,
        compliance         NUMERIC(5,2) NOT NULL DEFAULT 0,
        created_at         TIMESTAMPTZ  NOT NULL DEFAULT now(),
        updated_at         TIMESTAMPTZ  NOT NULL DEFAULT now(),
        grace_minutes      INTEGER      NOT NULL DEFAULT 10,
        departments        JSONB        NOT NULL DEFAULT '[]',
        employee_ids       JSONB        NOT NULL DEFAULT '[]',
        days_of_week       JSONB        NOT NULL DEFAULT '[1,2,3,4,5]',
        timezone           VARCHAR(64),
        enabled            BOOLEAN      NOT NULL DEFAULT true,
        CONSTRAINT pk_shift_schedules PRIMARY KEY (id),
        CONSTRAINT chk_shift_schedules_grace_minutes CHECK (grace_minutes >= 0)
      )`);

    await q.query(`
      CREATE TABLE attendance_logs (
        id                    VARCHAR(50)  NOT NULL,
        employee_id           VARCHAR(50)  NOT NULL,
        name                  VARCHAR(255) NOT NULL,
        department            VARCHAR(255),
        date                  DATE         NOT NULL,
        time_in               TIME,
        time_out              TIME,
        camera_id             VARCHAR(50),
        camera_name           VARCHAR(255),
        accuracy              NUMERIC(5,2),
        status                VARCHAR(20)  NOT NULL,
        odoo_status           VARCHAR(20)  NOT NULL DEFAULT 'pending',
        odoo_sync_time        TIMESTAMPTZ,
        odoo_error_message    TEXT,
        created_at            TIMESTAMPTZ  NOT NULL DEFAULT now(),
        updated_at            TIMESTAMPTZ  NOT NULL DEFAULT now(),
        shift_id              VARCHAR(50),
        shift_start           TIMESTAMPTZ,
        check_in_at           TIMESTAMPTZ,
        check_out_at          TIMESTAMPTZ,
        source                VARCHAR(20)  NOT NULL DEFAULT 'auto',
        note                  TEXT,
        odoo_attendance_id    INTEGER,
        odoo_synced_check_out TIMESTAMPTZ,
        CONSTRAINT pk_attendance_logs PRIMARY KEY (id),
        CONSTRAINT fk_attendance_logs_camera FOREIGN KEY (camera_id) REFERENCES cameras (id),
        CONSTRAINT fk_attendance_logs_shift FOREIGN KEY (shift_id) REFERENCES shift_schedules (id) ON DELETE SET NULL,
        CONSTRAINT chk_attendance_logs_status CHECK (status IN ('present', 'late', 'missed')),
        CONSTRAINT chk_attendance_logs_odoo_status CHECK (odoo_status IN ('synced', 'pending', 'failed')),
        CONSTRAINT chk_attendance_logs_source CHECK (source IN ('auto', 'manual'))
      )`);
    await q.query(`CREATE INDEX idx_attendance_logs_employee_id ON attendance_logs (employee_id)`);
    await q.query(`CREATE INDEX idx_attendance_logs_date ON attendance_logs (date DESC)`);
    await q.query(`CREATE INDEX idx_attendance_logs_odoo_status ON attendance_logs (odoo_status)`);
    // addition: exactly one automatic log per person per shift instance
    await q.query(`
      CREATE UNIQUE INDEX uq_attendance_logs_auto_shift ON attendance_logs (employee_id, shift_start)
      WHERE source = 'auto' AND shift_start IS NOT NULL`);
    // additions: list filters (camera + date range, status + date range) and the shift FK
    await q.query(`CREATE INDEX idx_attendance_logs_camera_date ON attendance_logs (camera_id, date DESC)`);
    await q.query(`CREATE INDEX idx_attendance_logs_status_date ON attendance_logs (status, date DESC)`);
    await q.query(`CREATE INDEX idx_attendance_logs_shift_id ON attendance_logs (shift_id)`);
    // addition: prefix search without pg_trgm: WHERE lower(name) LIKE lower(:q) || '%'
    await q.query(`CREATE INDEX idx_attendance_logs_name_prefix ON attendance_logs (lower(name) text_pattern_ops)`);

    await q.query(`
      CREATE TABLE attendance_records (
        id          VARCHAR(50)  NOT NULL,
        person_id   VARCHAR(50)  NOT NULL,
        name        VARCHAR(255) NOT NULL,
        role        VARCHAR(100),
        department  VARCHAR(255),
        status      VARCHAR(20)  NOT NULL,
        accuracy    NUMERIC(5,2),
        timestamp   TIMESTAMPTZ  NOT NULL,
        camera_id   VARCHAR(50),
        camera_name VARCHAR(255),
        thumbnail   VARCHAR(255),
        created_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
        CONSTRAINT pk_attendance_records PRIMARY KEY (id),
        CONSTRAINT fk_attendance_records_camera FOREIGN KEY (camera_id) REFERENCES cameras (id),
        CONSTRAINT chk_attendance_records_status CHECK (status IN ('on-site', 'off-site', 'remote'))
      )`);
    await q.query(`CREATE INDEX idx_attendance_records_person_id ON attendance_records (person_id)`);
    await q.query(`CREATE INDEX idx_attendance_records_timestamp ON attendance_records (timestamp DESC)`);

    await q.query(`
      CREATE TABLE export_jobs (
        id            UUID         NOT NULL DEFAULT gen_random_uuid(),
        user_id       UUID,
        type          VARCHAR(50)  NOT NULL,
        format        VARCHAR(10)  NOT NULL,
        filters       JSONB,
        status        VARCHAR(20)  NOT NULL DEFAULT 'queued',
        s3_key        VARCHAR(512),
        download_url  TEXT,
        error_message TEXT,
        created_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
        updated_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
        expires_at    TIMESTAMPTZ,
        progress      INTEGER      NOT NULL DEFAULT 0,
        row_count     INTEGER,
        bullmq_job_id VARCHAR(100),
        completed_at  TIMESTAMPTZ,
        CONSTRAINT pk_export_jobs PRIMARY KEY (id),
        -- addition: SET NULL, so deleting a user keeps their exports until they expire
        CONSTRAINT fk_export_jobs_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT chk_export_jobs_format CHECK (format IN ('csv', 'pdf')),
        CONSTRAINT chk_export_jobs_status CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
        CONSTRAINT chk_export_jobs_progress CHECK (progress BETWEEN 0 AND 100)
      )`);
    await q.query(`CREATE INDEX idx_export_jobs_user_id ON export_jobs (user_id)`);
    await q.query(`CREATE INDEX idx_export_jobs_status ON export_jobs (status)`);
    await q.query(`CREATE INDEX idx_export_jobs_created_at ON export_jobs (created_at DESC)`);
    // addition: cleanup of expired files
    await q.query(`CREATE INDEX idx_export_jobs_expires_at ON export_jobs (expires_at)`);

    // ---------------------------------------------------------------- faces
    await q.query(`
      CREATE TABLE face_profiles (
        id            UUID         NOT NULL DEFAULT gen_random_uuid(),
        employee_id   VARCHAR(50)  NOT NULL,
        name          VARCHAR(255) NOT NULL,
        department    VARCHAR(255),
        status        VARCHAR(20)  NOT NULL DEFAULT 'pending',
        notes         TEXT,
        created_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
        updated_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
        status_locked BOOLEAN      NOT NULL DEFAULT false,
        CONSTRAINT pk_face_profiles PRIMARY KEY (id),
        CONSTRAINT uq_face_profiles_employee_id UNIQUE (employee_id),
        CONSTRAINT chk_face_profiles_status CHECK (status IN ('active', 'pending', 'archived'))
      )`);
    await q.query(`CREATE INDEX idx_face_profiles_employee_id ON face_profiles (employee_id)`);
    await q.query(`CREATE INDEX idx_face_profiles_department ON face_profiles (department)`);
    await q.query(`CREATE INDEX idx_face_profiles_status ON face_profiles (status)`);

    await q.query(`
      CREATE TABLE face_images (
        id         UUID         NOT NULL DEFAULT gen_random_uuid(),
        profile_id UUID         NOT NULL,
        s3_key     VARCHAR(512) NOT NULL,
        url        TEXT,
        created_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
        CONSTRAINT pk_face_images PRIMARY KEY (id),
        CONSTRAINT fk_face_images_profile FOREIGN KEY (profile_id) REFERENCES face_profiles (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idx_face_images_profile_id ON face_images (profile_id)`);

    // ---------------------------------------------------------------- odoo
    await q.query(`
      CREATE TABLE odoo_config (
        id                      INTEGER      NOT NULL DEFAULT 1,
        base_url                TEXT         NOT NULL,
        database                VARCHAR(255) NOT NULL,
        company                 VARCHAR(255),
        api_key                 VARCHAR(512),
        auto_sync               BOOLEAN      NOT NULL DEFAULT false,
        status                  VARCHAR(20)  NOT NULL DEFAULT 'disconnected',
        last_sync               TIMESTAMPTZ,
        pending_count           INTEGER      NOT NULL DEFAULT 0,
        failure_count           INTEGER      NOT NULL DEFAULT 0,
        created_at              TIMESTAMPTZ  NOT NULL DEFAULT now(),
        updated_at              TIMESTAMPTZ  NOT NULL DEFAULT now(),
        version                 INTEGER      NOT NULL DEFAULT 1,
        login                   VARCHAR(255),
        employee_match_field    VARCHAR(30)  NOT NULL DEFAULT 'barcode',
        protocol                VARCHAR(10)  NOT NULL DEFAULT 'jsonrpc',
        failure_alert_threshold INTEGER      NOT NULL DEFAULT 10,
        CONSTRAINT pk_odoo_config PRIMARY KEY (id),
        CONSTRAINT chk_singleton CHECK (id = 1),
        CONSTRAINT chk_odoo_config_status CHECK (status IN ('connected', 'disconnected', 'error')),
        CONSTRAINT chk_odoo_config_employee_match_field CHECK (employee_match_field IN ('barcode', 'identification_id')),
        CONSTRAINT chk_odoo_config_protocol CHECK (protocol IN ('jsonrpc', 'json2'))
      )`);
    await q.query(`
      INSERT INTO odoo_config (id, base_url, database, auto_sync)
      VALUES (1, 'http://localhost:8069', 'odoo', false)`);

    await q.query(`
      CREATE TABLE odoo_sync_logs (
        id                UUID        NOT NULL DEFAULT gen_random_uuid(),
        timestamp         TIMESTAMPTZ NOT NULL,
        employee_id       VARCHAR(50) NOT NULL,
        result            VARCHAR(20) NOT NULL,
        message           TEXT,
        created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
        attendance_log_id VARCHAR(50),
        action            VARCHAR(20),
        CONSTRAINT pk_odoo_sync_logs PRIMARY KEY (id),
        CONSTRAINT chk_odoo_sync_logs_result CHECK (result IN ('success', 'failure'))
      )`);
    await q.query(`CREATE INDEX idx_odoo_sync_logs_timestamp ON odoo_sync_logs (timestamp DESC)`);
    await q.query(`CREATE INDEX idx_odoo_sync_logs_result ON odoo_sync_logs (result)`);
    // addition: the sync history of one attendance log (no FK: the history outlives the log)
    await q.query(`CREATE INDEX idx_odoo_sync_logs_attendance_log_id ON odoo_sync_logs (attendance_log_id)`);

    // ---------------------------------------------------------------- alerts, notifications
    await q.query(`
      CREATE TABLE alerts (
        id           VARCHAR(50)  NOT NULL,
        title        VARCHAR(255) NOT NULL,
        description  TEXT,
        level        VARCHAR(20)  NOT NULL,
        timestamp    TIMESTAMPTZ  NOT NULL,
        camera_id    VARCHAR(50),
        acknowledged BOOLEAN      NOT NULL DEFAULT false,
        muted        BOOLEAN      NOT NULL DEFAULT false,
        tags         JSONB        NOT NULL DEFAULT '[]',
        created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
        updated_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
        kind         VARCHAR(50),
        subject      VARCHAR(100),
        resolved_at  TIMESTAMPTZ,
        thumbnail    VARCHAR(512),
        CONSTRAINT pk_alerts PRIMARY KEY (id),
        CONSTRAINT fk_alerts_camera FOREIGN KEY (camera_id) REFERENCES cameras (id),
        CONSTRAINT chk_alerts_level CHECK (level IN ('low', 'medium', 'high', 'critical'))
      )`);
    await q.query(`CREATE INDEX idx_alerts_level ON alerts (level)`);
    await q.query(`CREATE INDEX idx_alerts_acknowledged ON alerts (acknowledged)`);
    await q.query(`CREATE INDEX idx_alerts_timestamp ON alerts (timestamp DESC)`);
    // addition: at most one open alert per (kind, subject)
    await q.query(`
      CREATE UNIQUE INDEX uq_alerts_open_kind_subject ON alerts (kind, subject)
      WHERE resolved_at IS NULL AND kind IS NOT NULL`);

    await q.query(`
      CREATE TABLE notifications (
        id           UUID         NOT NULL DEFAULT gen_random_uuid(),
        user_id      UUID,
        title        VARCHAR(255) NOT NULL,
        message      TEXT,
        level        VARCHAR(20)  NOT NULL,
        acknowledged BOOLEAN      NOT NULL DEFAULT false,
        link         TEXT,
        timestamp    TIMESTAMPTZ  NOT NULL,
        created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
        source       VARCHAR(50),
        CONSTRAINT pk_notifications PRIMARY KEY (id),
        CONSTRAINT fk_notifications_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT chk_notifications_level CHECK (level IN ('info', 'warning', 'critical'))
      )`);
    await q.query(`CREATE INDEX idx_notifications_user_id ON notifications (user_id)`);
    await q.query(`CREATE INDEX idx_notifications_acknowledged ON notifications (acknowledged)`);
    await q.query(`CREATE INDEX idx_notifications_timestamp ON notifications (timestamp DESC)`);

    // ---------------------------------------------------------------- audit, system
    await q.query(`
      CREATE TABLE audit_logs (
        id            UUID         NOT NULL DEFAULT gen_random_uuid(),
        actor         VARCHAR(255) NOT NULL,
        actor_role    VARCHAR(50),
        action        VARCHAR(100) NOT NULL,
        resource_type VARCHAR(50),
        resource_id   VARCHAR(100),
        message       TEXT         NOT NULL,
        context       JSONB,
        severity      VARCHAR(20)  NOT NULL,
        ip_address    INET,
        user_agent    TEXT,
        timestamp     TIMESTAMPTZ  NOT NULL,
        created_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
        CONSTRAINT pk_audit_logs PRIMARY KEY (id),
        CONSTRAINT chk_audit_logs_severity CHECK (severity IN ('info', 'warning', 'critical'))
      )`);
    await q.query(`CREATE INDEX idx_audit_logs_actor ON audit_logs (actor)`);
    await q.query(`CREATE INDEX idx_audit_logs_timestamp ON audit_logs (timestamp DESC)`);
    await q.query(`CREATE INDEX idx_audit_logs_severity ON audit_logs (severity)`);
    // addition: the trail of one resource
    await q.query(`CREATE INDEX idx_audit_logs_resource ON audit_logs (resource_type, resource_id)`);

    await q.query(`
      CREATE TABLE system_metrics (
        id          UUID          NOT NULL DEFAULT gen_random_uuid(),
        category    VARCHAR(50)   NOT NULL,
        label       VARCHAR(255)  NOT NULL,
        value       NUMERIC(10,2) NOT NULL,
        unit        VARCHAR(20),
        limit_value NUMERIC(10,2),
        timestamp   TIMESTAMPTZ   NOT NULL,
        created_at  TIMESTAMPTZ   NOT NULL DEFAULT now(),
        CONSTRAINT pk_system_metrics PRIMARY KEY (id)
      )`);
    await q.query(`CREATE INDEX idx_system_metrics_category ON system_metrics (category)`);
    await q.query(`CREATE INDEX idx_system_metrics_timestamp ON system_metrics (timestamp DESC)`);

    await q.query(`
      CREATE TABLE system_services (
        id             VARCHAR(50)  NOT NULL,
        name           VARCHAR(255) NOT NULL,
        status         VARCHAR(20)  NOT NULL DEFAULT 'stopped',
        version        VARCHAR(50),
        uptime         VARCHAR(100),
        last_restart   TIMESTAMPTZ,
        created_at     TIMESTAMPTZ  NOT NULL DEFAULT now(),
        updated_at     TIMESTAMPTZ  NOT NULL DEFAULT now(),
        kind           VARCHAR(20),
        last_heartbeat TIMESTAMPTZ,
        details        JSONB,
        CONSTRAINT pk_system_services PRIMARY KEY (id),
        CONSTRAINT chk_system_services_status CHECK (status IN ('running', 'degraded', 'stopped'))
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // Children first; indexes and constraints go with their tables.
    for (const table of [
      'system_services',
      'system_metrics',
      'audit_logs',
      'notifications',
      'alerts',
      'odoo_sync_logs',
      'odoo_config',
      'face_images',
      'face_profiles',
      'export_jobs',
      'attendance_records',
      'attendance_logs',
      'shift_schedules',
      'detection_provider_config',
      'detection_event_logs',
      'detections',
      'camera_summaries',
      'cameras',
      'user_preferences',
      'user_sessions',
      'users',
      'roles',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
