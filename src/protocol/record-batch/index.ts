/** Kafka RecordBatch v2: pure decoding (fetch responses) and encoding (in-memory broker, tests). */
export { ATTR, BATCH_HEADER_SIZE, LOG_OVERHEAD, readBatchHeader } from './batch-header';
export type { BatchHeader } from './batch-header';
export { crc32c } from './crc32c';
export { decodeChunk, decodePartitionRecords } from './decode-fetch';
export type { CompressedCodecName, DataChunk, Decompress, DecodedPartition, PartitionRecordsInput } from './decode-fetch';
export { NO_HEADERS, decodeRecords, readControlType } from './decode-records';
export type { ControlType } from './decode-records';
export { assembleBatch, encodeControlRecord, encodeRecordBatch, encodeRecordsSection } from './encode';
export type { ControlRecordOptions, EncodeBatchOptions, RecordsSection } from './encode';
export { splitBatches } from './split-batches';
export type { RawBatch, SplitBatches } from './split-batches';
export { Cursor, sizeOfVarInt, sizeOfVarLong, writeVarInt, writeVarLong } from './varint';
