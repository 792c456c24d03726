import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podSummary } from '../../src/render/pod-status';
import type { KubeObject } from '../../src/codec/types';

const NOW = Date.parse('2024-05-01T12:00:00Z');

function pod(
  status: Record<string, unknown>,
  spec: Record<string, unknown> = { containers: [{ name: 'c' }] },
  metadata: Record<string, unknown> = {},
): KubeObject {
  return { kind: 'Pod', metadata: { name: 'p', ...metadata }, spec, status };
}

const running = { ready: true, restartCount: 0, state: { running: {} } };

test('phase, reason and container states give kubectl STATUS', () => {
  const cases: Array<[string, KubeObject, string]> = [
    ['phase only', pod({ phase: 'Pending' }), 'Pending'],
    ['pod reason wins over phase', pod({ phase: 'Failed', reason: 'Evicted' }), 'Evicted'],
    [
      'scheduling gated',
      pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }),
      'SchedulingGated',
    ],
    ['running', pod({ phase: 'Running', containerStatuses: [{ name: 'c', ...running }] }), 'Running'],
    [
      'waiting reason',
      pod({
        phase: 'Running',
        containerStatuses: [
          { name: 'c', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      }),
      'CrashLoopBackOff',
    ],
    [
      'image pull',
      pod({ phase: 'Pending', containerStatuses: [{ name: 'c', state: { waiting: { reason: 'ErrImagePull' } } }] }),
      'ErrImagePull',
    ],
    [
      'terminated reason',
      pod({
        phase: 'Failed',
        containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }],
      }),
      'OOMKilled',
    ],
    [
      'terminated by signal',
      pod({ phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 0, signal: 9 } } }] }),
      'Signal:9',
    ],
    [
      'terminated exit code',
      pod({ phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 2 } } }] }),
      'ExitCode:2',
    ],
    [
      'completed container but another still running and pod ready',
      pod(
        {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            { name: 'a', ...running },
            { name: 'b', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          ],
        },
        { containers: [{ name: 'a' }, { name: 'b' }] },
      ),
      'Running',
    ],
    [
      'completed container, another running, pod not ready',
      pod(
        {
          phase: 'Running',
          containerStatuses: [
            { name: 'a', ...running },
            { name: 'b', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          ],
        },
        { containers: [{ name: 'a' }, { name: 'b' }] },
      ),
      'NotReady',
    ],
    [
      'init container running: Init:i/n',
      pod(
        {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'i1', state: { terminated: { exitCode: 0 } } },
            { name: 'i2', state: { running: {} } },
          ],
        },
        { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'c' }] },
      ),
      'Init:1/2',
    ],
    [
      'init container crash looping',
      pod(
        {
          phase: 'Pending',
          initContainerStatuses: [{ name: 'i1', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
        },
        { initContainers: [{ name: 'i1' }], containers: [{ name: 'c' }] },
      ),
      'Init:CrashLoopBackOff',
    ],
    [
      'init container PodInitializing counts as i/n',
      pod(
        {
          phase: 'Pending',
          initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'PodInitializing' } } }],
        },
        { initContainers: [{ name: 'i1' }], containers: [{ name: 'c' }] },
      ),
      'Init:0/1',
    ],
    [
      'init container failed with exit code',
      pod(
        { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 3 } } }] },
        { initContainers: [{ name: 'i1' }], containers: [{ name: 'c' }] },
      ),
      'Init:ExitCode:3',
    ],
    [
      'init container killed by signal',
      pod(
        {
          phase: 'Pending',
          initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 1, signal: 15 } } }],
        },
        { initContainers: [{ name: 'i1' }], containers: [{ name: 'c' }] },
      ),
      'Init:Signal:15',
    ],
    [
      'init container failed with reason',
      pod(
        {
          phase: 'Pending',
          initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 1, reason: 'Error' } } }],
        },
        { initContainers: [{ name: 'i1' }], containers: [{ name: 'c' }] },
      ),
      'Init:Error',
    ],
    [
      'deleting',
      pod({ phase: 'Running', containerStatuses: [{ name: 'c', ...running }] }, undefined, {
        deletionTimestamp: '2024-05-01T11:59:00Z',
      }),
      'Terminating',
    ],
    [
      'deleting a finished pod keeps its status',
      pod(
        {
          phase: 'Succeeded',
          containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
        },
        undefined,
        { deletionTimestamp: '2024-05-01T11:59:00Z' },
      ),
      'Completed',
    ],
    [
      'deleting a pod lost with its node',
      pod({ phase: 'Running', reason: 'NodeLost' }, undefined, { deletionTimestamp: '2024-05-01T11:59:00Z' }),
      'Unknown',
    ],
  ];
  for (const [what, p, want] of cases) assert.equal(podSummary(p, NOW).status, want, what);
});

test('READY counts ready running containers and started sidecars', () => {
  const p = pod(
    {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [
        { name: 'setup', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        {
          name: 'proxy',
          started: true,
          ready: true,
          restartCount: 1,
          state: { running: {} },
          lastState: { terminated: { exitCode: 1, finishedAt: '2024-05-01T11:00:00Z' } },
        },
      ],
      containerStatuses: [
        { name: 'a', ...running },
        {
          name: 'b',
          ready: false,
          restartCount: 2,
          state: { running: {} },
          lastState: { terminated: { exitCode: 1, finishedAt: '2024-05-01T11:55:00Z' } },
        },
      ],
    },
    {
      initContainers: [{ name: 'setup' }, { name: 'proxy', restartPolicy: 'Always' }],
      containers: [{ name: 'a' }, { name: 'b' }],
    },
  );
  const s = podSummary(p, NOW);
  assert.equal(s.ready, '2/3'); // a + the proxy sidecar, of a, b and the sidecar
  assert.equal(s.status, 'Running');
  assert.equal(s.restarts, 3); // the sidecar's 1 + b's 2; the finished init container does not count
  assert.equal(s.restartsText, '3 (5m ago)');
});

test('RESTARTS without now, or without a last termination, is the bare count', () => {
  const p = pod({
    phase: 'Running',
    containerStatuses: [
      {
        name: 'c',
        ready: true,
        restartCount: 4,
        state: { running: {} },
        lastState: { terminated: { finishedAt: '2024-05-01T11:00:00Z' } },
      },
    ],
  });
  assert.equal(podSummary(p).restartsText, '4');
  assert.equal(podSummary(p, NOW).restartsText, '4 (60m ago)');
  const q = pod({
    phase: 'Running',
    containerStatuses: [{ name: 'c', ready: true, restartCount: 4, state: { running: {} } }],
  });
  assert.equal(podSummary(q, NOW).restartsText, '4');
});

test("while initializing, restarts are the init containers' restarts", () => {
  const p = pod(
    {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'i1', restartCount: 6, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      containerStatuses: [{ name: 'c', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
    },
    { initContainers: [{ name: 'i1' }], containers: [{ name: 'c' }] },
  );
  const s = podSummary(p, NOW);
  assert.equal(s.status, 'Init:CrashLoopBackOff');
  assert.equal(s.restarts, 6);
  assert.equal(s.ready, '0/1');
});

test('a malformed pod never throws', () => {
  const weird = {
    kind: 'Pod',
    spec: 'nope',
    status: { containerStatuses: [null, 3, { state: 'x' }], initContainerStatuses: 'bad' },
  } as unknown as KubeObject;
  const s = podSummary(weird, NOW);
  assert.equal(s.ready, '0/0');
});
