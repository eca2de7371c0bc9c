/** A recognised person seen by a camera, as handed to the attendance engine by the detection pipeline. */
export interface Sighting {
  employeeId: string;
  name: string;
  department: string | null;
  cameraId: string;
  cameraName: string;
  /** 0..100 */
  confidence: number;
  timestamp: Date;
  /** storage key of the face crop, or null */
  thumbnail: string | null;
}

/** What recordSighting did: the attendance log touched (null when none), whether it was created, its status. */
export interface SightingOutcome {
  logId: string | null;
  created: boolean;
  status: string | null;
}
