import { randomBytes } from 'node:crypto';

/** A topic or group name unique to this test run, readable in broker logs. */
export const uniqueName = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/** The brokers the integration run uses (set by global-setup, or by the user). */
export const brokers = (): string[] => {
  const b = process.env.KAFKA_BROKERS;
  if (!b) throw new Error('KAFKA_BROKERS is not set: integration tests run under jest --selectProjects integration');
  return b.split(',');
};
