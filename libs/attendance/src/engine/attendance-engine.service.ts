import { Injectable } from '@nestjs/common';
import type { Sighting, SightingOutcome } from './sighting';

export type { Sighting, SightingOutcome } from './sighting';

/**
 * Turns recognised sightings into attendance: current presence (attendance_records) and the person's
 * log for the shift instance the sighting falls in (attendance_logs). (Skeleton; implementation follows.)
 */
@Injectable()
export class AttendanceEngine {
  async recordSighting(s: Sighting): Promise<SightingOutcome> {
    void s;
    return { logId: null, created: false, status: null };
  }
}
