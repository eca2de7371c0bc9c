import type { CameraStatus } from './entities/camera.entity';
import type { ProbeResult } from './stream/probe-result';
import type { CameraHealthUpdate } from './cameras.repository';

export interface HealthPolicy {
  /** How long an offline episode lasts before an alert is raised. */
  alertAfterMs: number;
  /** Consecutive good probes that end an offline episode. */
  recoveryChecks: number;
}

export interface HealthState {
  status: CameraStatus;
  offlineSince: Date | null;
}

export interface HealthDecision {
  patch: CameraHealthUpdate;
  status: CameraStatus;
  statusChanged: boolean;
  /** The episode has lasted past the threshold and the camera is still down: raise (de-duplicated). */
  raiseAlert: boolean;
  /** The episode ended: resolve its alert. */
  resolveAlert: boolean;
  /** Good probes in a row since the last failure, within an open episode (0 outside one). */
  recoveryStreak: number;
}

/**
 * The watchdog's state machine for one probe. An offline episode starts at the first failed probe
 * (`offlineSince`) and ends only after `recoveryChecks` good probes in a row, so a camera that flaps
 * stays in one episode: one alert, raised once the episode is older than the threshold while the
 * camera is down, resolved once it has been steadily back. `status` always follows the last probe.
 */
export function decideHealth(state: HealthState, ok: boolean, at: Date, streakBefore: number, policy: HealthPolicy): HealthDecision {
  const status: CameraStatus = ok ? 'online' : 'offline';
  const patch: CameraHealthUpdate = { status, lastChecked: at };
  let raiseAlert = false;
  let resolveAlert = false;
  let recoveryStreak = 0;
  if (ok) {
    patch.lastSeen = at;
    if (state.offlineSince) {
      recoveryStreak = streakBefore + 1;
      if (recoveryStreak >= policy.recoveryChecks) {
        patch.offlineSince = null;
        resolveAlert = true;
        recoveryStreak = 0;
      }
    }
  } else {
    const since = state.offlineSince ?? at;
    if (!state.offlineSince) patch.offlineSince = at;
    raiseAlert = at.getTime() - since.getTime() >= policy.alertAfterMs;
  }
  return { patch, status, statusChanged: status !== state.status, raiseAlert, resolveAlert, recoveryStreak };
}

/** Columns a probe result fills in (measures only when it succeeded). */
export function probeMeasures(result: ProbeResult): CameraHealthUpdate {
  if (!result.success) return {};
  return {
    fps: Math.round(result.fps),
    latency: result.latencyMs,
    bitrate: result.bitrate,
    resolution: result.resolution,
    codec: result.codec,
  };
}
