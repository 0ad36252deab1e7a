/**
 * traced() misused: typed UsageErrors with context, never a crash; without an OTel SDK (the API's no-op providers)
 * it passes messages through untouched; @opentelemetry/* stays out of the main entry point.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { of, tap } from 'rxjs';
import { KafkaClientError, markOffsets, type KafkaMessage } from '../../../src';
import { spanOf, traced, type TracedOptions } from '../../../src/otel';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';

const caught = (f: () => unknown): KafkaClientError | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof KafkaClientError ? e : undefined;
  }
  return undefined;
};

describe('traced(): bad input, no SDK, and the optional dependency', () => {
  it('a missing group, or one without a groupId, is a UsageError naming the field', () => {
    for (const group of [undefined, null, {}, { groupId: '' }, { groupId: 42 }]) {
      const e = caught(() => traced(group as never));
      expect([e?._tag, e?.context.field]).toEqual(['UsageError', 'group']);
    }
  });

  it('bad options are UsageErrors naming the group and the option', () => {
    const cases: [string, unknown][] = [
      ['revokeGraceMs', { revokeGraceMs: -1 }],
      ['revokeGraceMs', { revokeGraceMs: Number.NaN }],
      ['creationContext', { creationContext: 'child' }],
      ['tracerProvider', { tracerProvider: {} }],
      ['meterProvider', { meterProvider: 'global' }],
      ['propagator', { propagator: { inject: () => undefined } }],
      ['scheduler', { scheduler: {} }],
      ['clientId', { clientId: 7 }],
      ['options', null],
    ];
    for (const [field, options] of cases) {
      const e = caught(() => traced({ groupId: 'billing' }, options as TracedOptions));
      expect({ field, tag: e?._tag, context: e?.context }).toEqual({ field, tag: 'UsageError', context: { group: 'billing', field } });
    }
  });

  it('a value that is not a consumed message ends the stream with a UsageError instead of throwing inside the pipeline', () => {
    let error: unknown;
    of(42 as unknown as KafkaMessage).pipe(traced({ groupId: 'g' })).subscribe({ error: (e: unknown) => (error = e) });
    expect(error).toBeInstanceOf(KafkaClientError);
    expect([(error as KafkaClientError)._tag, (error as KafkaClientError).context.group]).toEqual(['UsageError', 'g']);
  });

  it('with no SDK registered (the API no-op providers) messages pass through untouched, spans do not record, marks still commit', () => {
    const ts = virtualTime();
    const cluster = new InMemoryCluster({ topics: { t: 1 } });
    const seen: KafkaMessage[] = [];
    const recording: (boolean | undefined)[] = [];
    ts.run(({ flush }) => {
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      cluster.produce('t', 0, [{ value: 'a', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } }, { value: 'b' }]);
      const sub = group.messages$.pipe(traced(group), tap((m) => (seen.push(m), recording.push(spanOf(m)?.isRecording()))), markOffsets(group)).subscribe();
      ts.schedule(() => sub.unsubscribe(), 1_000);
      flush();
    });
    expect(seen.map((m) => [m.offset, m.value?.toString()])).toEqual([
      [0n, 'a'],
      [1n, 'b'],
    ]);
    expect(recording).toEqual([false, false]);
    expect(seen.map((m) => spanOf(m))).toEqual([undefined, undefined]); // ended at their marks
    expect(cluster.committed('g')['t/0']).toBe(2n);
  });

  it('@opentelemetry/* is imported only under src/otel; rx-kafka-cluster/otel is a subpath export and the API an optional peer', () => {
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    const src = join(__dirname, '../../../src');
    const importing = files(src).filter((f) => f.endsWith('.ts') && /from '@opentelemetry\//.test(readFileSync(f, 'utf8')));
    expect(importing.length).toBeGreaterThan(0);
    expect(importing.filter((f) => !f.startsWith(join(src, 'otel')))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(pkg.exports?.['./otel']).toEqual({ types: './dist/otel/index.d.ts', default: './dist/otel/index.js' });
    expect(pkg.peerDependencies?.['@opentelemetry/api']).toBeDefined();
    expect(pkg.peerDependenciesMeta?.['@opentelemetry/api']).toEqual({ optional: true });
    expect(pkg.dependencies?.['@opentelemetry/api']).toBeUndefined();
  });
});
