/** The Java producer's key hashing, shared with the producer (src/protocol/partitioner.ts). */
export { murmur2, partitionForKey } from '../protocol/partitioner';
