/**
 * The READY, STATUS and RESTARTS cells of `kubectl get pods`, computed from a pod the way kubectl's
 * printer does (kubernetes pkg/printers/internalversion, printPod): the phase, overridden by the pod's
 * reason, by `SchedulingGated`, by the first init container that is not done (`Init:0/2`,
 * `Init:CrashLoopBackOff`, `Init:ExitCode:1`, `Init:Signal:9`), then by the containers' waiting or
 * terminated reasons (`CrashLoopBackOff`, `Completed`, `ExitCode:1`), back to `Running`/`NotReady` when
 * a completed pod still has a running container, and finally `Terminating` (or `Unknown` for a pod
 * lost with its node) once a deletion timestamp is set. Sidecars (init containers with
 * `restartPolicy: Always`) count towards READY and RESTARTS.
 */
import type { KubeObject } from '../codec/types';
import { humanDuration } from './human-duration';
import { arr, dig, num, rec, str } from './object-path';

/** What {@link podSummary} computes. */
export interface PodSummary {
  /** `1/2`: ready containers / containers (sidecars included). */
  ready: string;
  /** The STATUS cell. */
  status: string;
  /** Restart count. */
  restarts: number;
  /** When a container last terminated before a restart (ms since epoch), if known. */
  lastRestartMs?: number;
  /** The RESTARTS cell: `3`, or `3 (5m ago)` when `now` is given and the last restart is known. */
  restartsText: string;
}

function isRestartable(container: unknown): boolean {
  return str(dig(container, 'restartPolicy')) === 'Always';
}

function timeMs(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function conditionTrue(pod: KubeObject, type: string): boolean {
  return arr(dig(pod, 'status', 'conditions')).some(
    (c) => str(dig(c, 'type')) === type && str(dig(c, 'status')) === 'True',
  );
}

/**
 * READY, STATUS and RESTARTS of a pod as `kubectl get pods` prints them. `nowMs` (ms since epoch)
 * adds the `(5m ago)` part to RESTARTS.
 * @example
 * podSummary({ status: { phase: 'Running', containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: {} } }] }, spec: { containers: [{ name: 'a' }] } })
 * // { ready: '1/1', status: 'Running', restarts: 0, restartsText: '0' }
 */
export function podSummary(pod: KubeObject, nowMs?: number): PodSummary {
  const spec = rec(pod['spec']) ?? {};
  const status = rec(pod['status']) ?? {};
  const initSpecs = arr(spec['initContainers']);
  let total = arr(spec['containers']).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;
  const phase = str(status['phase']);
  let reason = str(status['reason']) !== '' ? str(status['reason']) : phase;

  for (const c of arr(status['conditions'])) {
    if (str(dig(c, 'type')) === 'PodScheduled' && str(dig(c, 'reason')) === 'SchedulingGated')
      reason = 'SchedulingGated';
  }

  const initByName = new Map<string, unknown>();
  for (const c of initSpecs) {
    initByName.set(str(dig(c, 'name')), c);
    if (isRestartable(c)) total++;
  }

  let initializing = false;
  const initStatuses = arr(status['initContainerStatuses']);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const count = num(dig(cs, 'restartCount'));
    restarts += count;
    const finished = timeMs(dig(cs, 'lastState', 'terminated', 'finishedAt'));
    if (finished !== undefined && (lastRestart === undefined || finished > lastRestart)) lastRestart = finished;
    const sidecar = isRestartable(initByName.get(str(dig(cs, 'name'))));
    if (sidecar) {
      sidecarRestarts += count;
      if (finished !== undefined && (lastSidecarRestart === undefined || finished > lastSidecarRestart))
        lastSidecarRestart = finished;
    }
    const terminated = rec(dig(cs, 'state', 'terminated'));
    const waiting = rec(dig(cs, 'state', 'waiting'));
    if (terminated !== undefined && num(terminated['exitCode']) === 0) continue;
    if (sidecar && dig(cs, 'started') === true) {
      if (dig(cs, 'ready') === true) ready++;
      continue;
    }
    if (terminated !== undefined) {
      const r = str(terminated['reason']);
      if (r === '') {
        const signal = num(terminated['signal']);
        reason = signal !== 0 ? `Init:Signal:${signal}` : `Init:ExitCode:${num(terminated['exitCode'])}`;
      } else {
        reason = `Init:${r}`;
      }
    } else if (waiting !== undefined && str(waiting['reason']) !== '' && str(waiting['reason']) !== 'PodInitializing') {
      reason = `Init:${str(waiting['reason'])}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = arr(status['containerStatuses']);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += num(dig(cs, 'restartCount'));
      const finished = timeMs(dig(cs, 'lastState', 'terminated', 'finishedAt'));
      if (finished !== undefined && (lastRestart === undefined || finished > lastRestart)) lastRestart = finished;
      const waiting = rec(dig(cs, 'state', 'waiting'));
      const terminated = rec(dig(cs, 'state', 'terminated'));
      if (waiting !== undefined && str(waiting['reason']) !== '') {
        reason = str(waiting['reason']);
      } else if (terminated !== undefined && str(terminated['reason']) !== '') {
        reason = str(terminated['reason']);
      } else if (terminated !== undefined) {
        const signal = num(terminated['signal']);
        reason = signal !== 0 ? `Signal:${signal}` : `ExitCode:${num(terminated['exitCode'])}`;
      } else if (dig(cs, 'ready') === true && rec(dig(cs, 'state', 'running')) !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  const deleting = dig(pod, 'metadata', 'deletionTimestamp');
  if (deleting !== undefined && deleting !== null) {
    if (str(status['reason']) === 'NodeLost') reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  }

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined && nowMs !== undefined) {
    restartsText = `${restarts} (${humanDuration(nowMs - lastRestart)} ago)`;
  }
  const out: PodSummary = { ready: `${ready}/${total}`, status: reason, restarts, restartsText };
  if (lastRestart !== undefined) out.lastRestartMs = lastRestart;
  return out;
}
