import type { KafkaMessage } from '../protocol/message';

const text = (b: Buffer | null): string => (b === null ? '' : b.toString('utf8'));

/** One stdout line per message: `topic/partition/offset<TAB>key<TAB>value`, or a JSON object. */
export const formatMessage = (m: KafkaMessage, format: 'text' | 'json'): string =>
  format === 'json'
    ? JSON.stringify({ topic: m.topic, partition: m.partition, offset: m.offset.toString(), timestamp: m.timestamp, key: m.key && text(m.key), value: m.value && text(m.value) })
    : `${m.topic}/${m.partition}/${m.offset}\t${text(m.key)}\t${text(m.value)}`;
