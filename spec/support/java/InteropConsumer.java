import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A Java consumer-group member for interop tests (spec/support/java-consumer.ts drives it).
 * Args: bootstrap groupId topic[,topic...] strategy [sessionTimeoutMs] [heartbeatIntervalMs] [maxMessages] [key=value...].
 * strategy: range | roundrobin | sticky | cooperative-sticky (classic group protocol, that one assignor), or
 * consumer | consumer:ASSIGNOR (group.protocol=consumer, KIP-848; group.remote.assignor=ASSIGNOR when given; the
 * session and heartbeat arguments are then ignored: the broker owns them).
 * Options: report=records (print every poll's records as offset ranges: "polled" lines), commit=sync (commitSync
 * what each poll returned at the end of the loop iteration, and the revoked partitions' polled positions in
 * onPartitionsRevoked: "committed" lines).
 * Stdout carries only JSON lines: started, assigned (full assignment plus what this callback added), revoked, lost,
 * records (cumulative count), polled, committed, commitFailed. Stops on stdin "stop" or EOF.
 */
public final class InteropConsumer {
  private static volatile boolean stopping = false;

  public static void main(String[] args) {
    if (args.length < 4) {
      System.err.println("usage: InteropConsumer bootstrap groupId topics range|roundrobin|sticky|cooperative-sticky|consumer[:assignor]"
          + " [sessionMs] [heartbeatMs] [maxMessages] [report=records] [commit=sync]");
      System.exit(2);
    }
    List<String> positional = new ArrayList<>();
    Map<String, String> options = new HashMap<>();
    for (int i = 4; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (eq > 0) options.put(args[i].substring(0, eq), args[i].substring(eq + 1));
      else positional.add(args[i]);
    }
    String strategy = args[3];
    boolean consumerProtocol = strategy.equals("consumer") || strategy.startsWith("consumer:");
    ConsumerPartitionAssignor assignor = "range".equals(strategy) ? new RangeAssignor()
        : "roundrobin".equals(strategy) ? new RoundRobinAssignor()
        : "sticky".equals(strategy) ? new StickyAssignor()
        : "cooperative-sticky".equals(strategy) ? new CooperativeStickyAssignor() : null;
    if (assignor == null && !consumerProtocol) {
      System.err.println("unknown strategy: " + strategy);
      System.exit(2);
    }
    long maxMessages = positional.size() > 2 ? Long.parseLong(positional.get(2)) : Long.MAX_VALUE;
    boolean reportRecords = "records".equals(options.get("report"));
    boolean commitSync = "sync".equals(options.get("commit"));

    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("group.id", args[1]);
    String rebalanceProtocol;
    if (consumerProtocol) {
      p.put("group.protocol", "consumer");
      if (strategy.startsWith("consumer:")) p.put("group.remote.assignor", strategy.substring("consumer:".length()));
      rebalanceProtocol = "CONSUMER";
    } else {
      p.put("group.protocol", "classic");
      p.put("partition.assignment.strategy", assignor.getClass().getName());
      p.put("session.timeout.ms", positional.size() > 0 ? positional.get(0) : "10000");
      p.put("heartbeat.interval.ms", positional.size() > 1 ? positional.get(1) : "1000");
      // What ConsumerCoordinator picks with one assignor: the most advanced protocol it supports.
      rebalanceProtocol = assignor.supportedProtocols().stream().max(Comparator.comparingInt(ConsumerPartitionAssignor.RebalanceProtocol::id))
          .map(Enum::name).orElse("EAGER");
    }
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

    println("{\"event\":\"started\",\"groupProtocol\":\"" + (consumerProtocol ? "consumer" : "classic") + "\",\"strategy\":\""
        + esc(strategy) + "\",\"rebalanceProtocol\":\"" + rebalanceProtocol + "\"}");

    // Next offset to commit per partition, for what was polled and not committed yet (commit=sync).
    Map<TopicPartition, OffsetAndMetadata> pending = new LinkedHashMap<>();
    consumer.subscribe(Arrays.asList(args[2].split(",")), new ConsumerRebalanceListener() {
      @Override public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        if (commitSync) {
          Map<TopicPartition, OffsetAndMetadata> toCommit = new LinkedHashMap<>();
          for (TopicPartition tp : revoked) {
            OffsetAndMetadata o = pending.get(tp);
            if (o != null) toCommit.put(tp, o);
          }
          commit(consumer, toCommit, pending, "revoked");
        }
        emit(consumer, "revoked", revoked, null);
      }
      @Override public void onPartitionsLost(Collection<TopicPartition> lost) {
        for (TopicPartition tp : lost) pending.remove(tp); // not ours to commit any more
        emit(consumer, "lost", lost, null);
      }
      @Override public void onPartitionsAssigned(Collection<TopicPartition> added) { emit(consumer, "assigned", consumer.assignment(), added); }
    });

    int code = 0;
    long total = 0, printed = 0, lastPrint = 0;
    try {
      while (!stopping && total < maxMessages) {
        try {
          ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
          total += records.count();
          if (!records.isEmpty() && (reportRecords || commitSync)) {
            if (reportRecords) println(polledLine(records));
            for (TopicPartition tp : records.partitions()) {
              List<ConsumerRecord<byte[], byte[]>> rs = records.records(tp);
              pending.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
            }
          }
          if (commitSync && !pending.isEmpty()) commit(consumer, new LinkedHashMap<>(pending), pending, "poll");
        } catch (WakeupException e) { /* stop requested */ }
        long now = System.currentTimeMillis();
        if (total != printed && (now - lastPrint >= 500 || total >= maxMessages)) {
          println("{\"event\":\"records\",\"count\":" + total + "}");
          printed = total;
          lastPrint = now;
        }
      }
    } catch (Exception e) {
      e.printStackTrace();
      code = 1;
    } finally {
      if (total != printed) println("{\"event\":\"records\",\"count\":" + total + "}");
      try { consumer.close(); } catch (Exception e) { e.printStackTrace(); code = 1; }
    }
    System.out.flush();
    System.exit(code);
  }

  /** commitSync `offsets`; on success they leave `pending` (unless polled further meanwhile) and a "committed" line says so. */
  private static void commit(KafkaConsumer<?, ?> consumer, Map<TopicPartition, OffsetAndMetadata> offsets,
      Map<TopicPartition, OffsetAndMetadata> pending, String where) {
    if (offsets.isEmpty()) return;
    try {
      consumer.commitSync(offsets);
    } catch (WakeupException e) {
      stopping = true; // the stop request interrupted the commit: retry once, close revokes and commits again anyway
      try { consumer.commitSync(offsets); } catch (Exception again) { commitFailed(where, again); return; }
    } catch (Exception e) {
      // RebalanceInProgress / CommitFailed: still pending; the next loop iteration or onPartitionsRevoked retries.
      commitFailed(where, e);
      return;
    }
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) pending.remove(e.getKey(), e.getValue());
    StringBuilder sb = new StringBuilder("{\"event\":\"committed\",\"where\":\"").append(where).append("\",\"offsets\":[");
    int i = 0;
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      if (i++ > 0) sb.append(',');
      sb.append("[\"").append(esc(e.getKey().topic())).append("\",").append(e.getKey().partition()).append(',').append(e.getValue().offset()).append(']');
    }
    println(sb.append("]}").toString());
  }

  private static void commitFailed(String where, Exception e) {
    println("{\"event\":\"commitFailed\",\"where\":\"" + where + "\",\"error\":\"" + esc(e.getClass().getSimpleName() + ": " + e.getMessage()) + "\"}");
  }

  /** One line per poll: [topic, partition, from, to] for each run of consecutive offsets (inclusive). */
  private static String polledLine(ConsumerRecords<byte[], byte[]> records) {
    TreeMap<String, TopicPartition> ordered = new TreeMap<>();
    for (TopicPartition tp : records.partitions()) ordered.put(tp.topic() + "\u0000" + String.format("%09d", tp.partition()), tp);
    StringBuilder sb = new StringBuilder("{\"event\":\"polled\",\"records\":[");
    boolean first = true;
    for (TopicPartition tp : ordered.values()) {
      long from = -1, to = -1;
      for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
        if (from >= 0 && r.offset() == to + 1) { to = r.offset(); continue; }
        if (from >= 0) { sb.append(first ? "" : ",").append(range(tp, from, to)); first = false; }
        from = to = r.offset();
      }
      if (from >= 0) { sb.append(first ? "" : ",").append(range(tp, from, to)); first = false; }
    }
    return sb.append("]}").toString();
  }

  private static String range(TopicPartition tp, long from, long to) {
    return "[\"" + esc(tp.topic()) + "\"," + tp.partition() + "," + from + "," + to + "]";
  }

  private static void emit(KafkaConsumer<?, ?> consumer, String event, Collection<TopicPartition> tps, Collection<TopicPartition> added) {
    StringBuilder sb = new StringBuilder("{\"event\":\"").append(event).append("\",\"memberId\":\"")
        .append(esc(consumer.groupMetadata().memberId())).append("\",\"generation\":")
        .append(consumer.groupMetadata().generationId()).append(",\"partitions\":");
    appendPartitions(sb, tps);
    if (added != null) appendPartitions(sb.append(",\"added\":"), added);
    println(sb.append('}').toString());
  }

  private static void appendPartitions(StringBuilder sb, Collection<TopicPartition> tps) {
    List<TopicPartition> sorted = new ArrayList<>(tps);
    sorted.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    sb.append('[');
    for (int i = 0; i < sorted.size(); i++) {
      TopicPartition tp = sorted.get(i);
      if (i > 0) sb.append(',');
      sb.append("{\"topic\":\"").append(esc(tp.topic())).append("\",\"partition\":").append(tp.partition()).append('}');
    }
    sb.append(']');
  }

  private static synchronized void println(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private static String esc(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
