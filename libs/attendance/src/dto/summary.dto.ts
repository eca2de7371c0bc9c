/** The dashboard figures. Cached up to 15 s. */
export class SystemSummaryDto {
  /** Enabled cameras currently online. */
  activeCameras: number;
  /** Active face profiles. */
  registeredPeople: number;
  /** Distinct recognised people detected since midnight (site timezone). */
  peopleDetectedToday: number;
  /** Unknown-face alerts neither acknowledged nor resolved. */
  unknownFaceAlerts: number;
  /** Manual attendance entries dated today. */
  manualOverrides: number;
  /** Expected people (on today's started shifts) who attended / expected x 100. */
  attendanceCompletion: number;
  /** Last successful Odoo sync (ISO-8601 UTC), null when never. */
  lastSync: string | null;
  /** addition: when these figures were computed (ISO-8601 UTC). */
  generatedAt: string;
}
