import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A Java consumer-group member for interop tests (spec/support/java-consumer.ts drives it).
 * Args: bootstrap groupId topic[,topic...] range|roundrobin [sessionTimeoutMs] [heartbeatIntervalMs] [maxMessages].
 * Stdout carries only JSON lines: assigned (full assignment), revoked, lost, records. Stops on stdin "stop" or EOF.
 */
public final class InteropConsumer {
  private static volatile boolean stopping = false;

  public static void main(String[] args) {
    if (args.length < 4) {
      System.err.println("usage: InteropConsumer bootstrap groupId topics range|roundrobin [sessionMs] [heartbeatMs] [maxMessages]");
      System.exit(2);
    }
    String strategy = args[3];
    Class<?> assignor = "range".equals(strategy) ? RangeAssignor.class
        : "roundrobin".equals(strategy) ? RoundRobinAssignor.class : null;
    if (assignor == null) {
      System.err.println("unknown strategy: " + strategy);
      System.exit(2);
    }
    long maxMessages = args.length > 6 ? Long.parseLong(args[6]) : Long.MAX_VALUE;

    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("group.id", args[1]);
    p.put("group.protocol", "classic");
    p.put("partition.assignment.strategy", assignor.getName());
    p.put("session.timeout.ms", args.length > 4 ? args[4] : "10000");
    p.put("heartbeat.interval.ms", args.length > 5 ? args[5] : "1000");
    p.put("auto.offset.reset", "earliest");
    p.put("enable.auto.commit", "false");
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());

    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p);
    Thread stdin = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null && !"stop".equals(line.trim())) { /* ignore other input */ }
      } catch (Exception e) { /* treat as EOF */ }
      stopping = true;
      consumer.wakeup();
    }, "stdin");
    stdin.setDaemon(true);
    stdin.start();

    consumer.subscribe(Arrays.asList(args[2].split(",")), new ConsumerRebalanceListener() {
      @Override public void onPartitionsRevoked(Collection<TopicPartition> revoked) { emit(consumer, "revoked", revoked); }
      @Override public void onPartitionsLost(Collection<TopicPartition> lost) { emit(consumer, "lost", lost); }
      @Override public void onPartitionsAssigned(Collection<TopicPartition> added) { emit(consumer, "assigned", consumer.assignment()); }
    });

    int code = 0;
    long total = 0, printed = 0, lastPrint = 0;
    try {
      while (!stopping && total < maxMessages) {
        try {
          ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
          total += records.count();
        } catch (WakeupException e) { /* stop requested */ }
        long now = System.currentTimeMillis();
        if (total != printed && (now - lastPrint >= 500 || total >= maxMessages)) {
          System.out.println("{\"event\":\"records\",\"count\":" + total + "}");
          printed = total;
          lastPrint = now;
        }
      }
    } catch (Exception e) {
      e.printStackTrace();
      code = 1;
    } finally {
      if (total != printed) System.out.println("{\"event\":\"records\",\"count\":" + total + "}");
      try { consumer.close(); } catch (Exception e) { e.printStackTrace(); code = 1; }
    }
    System.out.flush();
    System.exit(code);
  }

  private static void emit(KafkaConsumer<?, ?> consumer, String event, Collection<TopicPartition> tps) {
    List<TopicPartition> sorted = new ArrayList<>(tps);
    sorted.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    StringBuilder sb = new StringBuilder("{\"event\":\"").append(event).append("\",\"memberId\":\"")
        .append(esc(consumer.groupMetadata().memberId())).append("\",\"generation\":")
        .append(consumer.groupMetadata().generationId()).append(",\"partitions\":[");
    for (int i = 0; i < sorted.size(); i++) {
      TopicPartition tp = sorted.get(i);
      if (i > 0) sb.append(',');
      sb.append("{\"topic\":\"").append(esc(tp.topic())).append("\",\"partition\":").append(tp.partition()).append('}');
    }
    System.out.println(sb.append("]}"));
    System.out.flush();
  }

  private static String esc(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
