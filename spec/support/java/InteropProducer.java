import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A Java producer for interop tests (spec/support/java-producer.ts drives it and mirrors record(i)).
 * Args: bootstrap topic partitions none|gzip|snappy|lz4|zstd records N | txn K M transactionalId.
 * records: N records, record i to partition i % partitions. txn: commit K records, abort M, commit K more.
 * Prints one JSON summary line on stdout and exits 0 (1 on any error).
 */
public final class InteropProducer {
  public static void main(String[] args) throws Exception {
    if (args.length < 6) {
      System.err.println("usage: InteropProducer bootstrap topic partitions codec records N | txn K M transactionalId");
      System.exit(2);
    }
    String topic = args[1];
    int partitions = Integer.parseInt(args[2]);
    boolean txn = "txn".equals(args[4]);
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("compression.type", args[3]);
    p.put("acks", "all");
    p.put("linger.ms", "100");
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    if (txn) p.put("transactional.id", args[7]);

    Map<Integer, Long> ends = new TreeMap<>();
    String extra;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      if (!txn) {
        int n = Integer.parseInt(args[5]);
        Future<?>[] sent = new Future<?>[n];
        for (int i = 0; i < n; i++) sent[i] = producer.send(record(topic, i % partitions, "", i));
        producer.flush();
        for (Future<?> f : sent) track(ends, (RecordMetadata) f.get());
        extra = "\"count\":" + n;
      } else {
        int k = Integer.parseInt(args[5]), m = Integer.parseInt(args[6]);
        producer.initTransactions();
        String[] phases = { "c1", "a", "c2" };
        int[] sizes = { k, m, k };
        for (int t = 0; t < 3; t++) {
          producer.beginTransaction();
          Future<?>[] sent = new Future<?>[sizes[t]];
          for (int i = 0; i < sizes[t]; i++) sent[i] = producer.send(record(topic, i % partitions, phases[t] + "-", i));
          producer.flush();
          for (Future<?> f : sent) track(ends, (RecordMetadata) f.get());
          if (t == 1) producer.abortTransaction();
          else producer.commitTransaction();
        }
        extra = "\"committed\":" + 2 * k + ",\"aborted\":" + m;
      }
      StringBuilder sb = new StringBuilder("{\"event\":\"produced\",\"topic\":\"").append(topic).append("\",\"codec\":\"")
          .append(args[3]).append("\",").append(extra).append(",\"lastOffsets\":{");
      int j = 0;
      for (Map.Entry<Integer, Long> e : ends.entrySet()) sb.append(j++ > 0 ? "," : "").append('"').append(e.getKey()).append("\":").append(e.getValue());
      sb.append("},\"recordsPerRequestAvg\":").append(metric(producer, "records-per-request-avg"))
          .append(",\"compressionRateAvg\":").append(metric(producer, "compression-rate-avg")).append('}');
      System.out.println(sb);
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1);
    }
    System.out.flush();
    System.exit(0);
  }

  /** Record i: key "{prefix}k-i", value null when i % 101 == 0, headers idx/src (+ a null-valued one, + duplicate keys). */
  private static ProducerRecord<byte[], byte[]> record(String topic, int partition, String prefix, int i) {
    RecordHeaders h = new RecordHeaders();
    h.add("idx", bytes(Integer.toString(i)));
    h.add("src", bytes("java"));
    if (i % 7 == 0) h.add("empty", null);
    if (i % 5 == 0) {
      h.add("dup", bytes("a"));
      h.add("dup", bytes("b"));
    }
    byte[] value = i % 101 == 0 ? null : bytes(prefix + "value-" + i + "-" + "x".repeat(i % 50));
    return new ProducerRecord<>(topic, partition, 1_700_000_000_000L + i, bytes(prefix + "k-" + i), value, h);
  }

  private static void track(Map<Integer, Long> ends, RecordMetadata md) {
    ends.merge(md.partition(), md.offset(), Math::max);
  }

  private static double metric(KafkaProducer<?, ?> producer, String name) {
    for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
      if (e.getKey().name().equals(name) && "producer-metrics".equals(e.getKey().group())) {
        Object v = e.getValue().metricValue();
        if (v instanceof Double && !((Double) v).isNaN()) return (Double) v;
      }
    }
    return -1;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
